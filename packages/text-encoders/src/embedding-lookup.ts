import * as tf from '@tensorflow/tfjs-core';

/**
 * Adds each row of `rows` ([n, dim]) into row `ids[i]` of a new [vocabSize, dim] matrix, on
 * typed arrays: the gradient of a gather where the backend has no UnsortedSegmentSum kernel.
 */
export function scatterAddRows(
  rows: tf.Tensor2D,
  ids: tf.Tensor1D,
  vocabSize: number,
): tf.Tensor2D {
  const dim = rows.shape[1];
  const values = rows.dataSync();
  const index = ids.dataSync();
  const out = new Float32Array(vocabSize * dim);
  for (let i = 0; i < index.length; i++) {
    const target = (index[i] ?? 0) * dim;
    const source = i * dim;
    for (let j = 0; j < dim; j++) out[target + j]! += values[source + j]!;
  }
  return tf.tensor2d(out, [vocabSize, dim]);
}

const lookup = tf.customGrad(
  // customGrad's typing admits only variadic tensor arguments.
  ((table: tf.Tensor, flatIds: tf.Tensor, save: tf.GradSaveFunc) => {
    save([flatIds]);
    const [vocabSize, dim] = table.shape as [number, number];
    return {
      value: tf.gather(table, flatIds),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const ids = saved[0] as tf.Tensor1D;
        const rows = tf.reshape(dy, [-1, dim]) as tf.Tensor2D;
        // tfjs-wasm lacks UnsortedSegmentSum, which tf.gather's own gradient needs
        // (docs/engineering-notes.md, "tfjs-wasm: missing kernels").
        const hasSegmentSum = tf.getKernel('UnsortedSegmentSum', tf.getBackend()) !== undefined;
        const dTable = hasSegmentSum
          ? tf.unsortedSegmentSum(rows, ids, vocabSize)
          : scatterAddRows(rows, ids, vocabSize);
        return [dTable, tf.zerosLike(ids)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0],
);

/**
 * Looks up rows of an embedding table: `table` [vocabSize, dim], `ids` int32 of any shape →
 * [...ids.shape, dim]. Same values as tf.gather, but trainable on every backend: the gradient is
 * an UnsortedSegmentSum where the backend has that kernel, else a scatter-add on typed arrays.
 * Ids must lie in [0, vocabSize).
 */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const flat = tf.reshape(ids, [-1]);
    const rows = lookup(table, flat) as tf.Tensor2D;
    return tf.reshape(rows, [...ids.shape, table.shape[1]]);
  });
}
