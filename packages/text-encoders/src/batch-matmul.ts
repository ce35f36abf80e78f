import * as tf from '@tensorflow/tfjs-core';

/** Swaps the last two axes into a new tensor (a materialised transpose, not a transposed view). */
export function transposeLastTwo(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  const n = perm.length;
  [perm[n - 2], perm[n - 1]] = [perm[n - 1]!, perm[n - 2]!];
  return tf.transpose(x, perm);
}

const batchMatMulWithPlainGradients = tf.customGrad(
  // customGrad's typing admits only variadic tensor arguments.
  ((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    save([a, b]);
    return {
      value: tf.matMul(a, b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sa, sb] = saved as [tf.Tensor, tf.Tensor];
        return [tf.matMul(dy, transposeLastTwo(sb)), tf.matMul(transposeLastTwo(sa), dy)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0],
);

/**
 * `a · b` over the last two axes of rank-3 or rank-4 tensors with equal batch axes, e.g. the
 * attention scores [B, H, L, D] · [B, H, D, L]. Gradients use materialised transposes and plain
 * matMuls, like `matMul` of @clapjs/layers for 2-D operands: the form a fast kernel is most likely
 * to cover. (tfjs-wasm 4.22 itself runs every batch > 1 matMul in one scalar loop, where the
 * transposes were measured to make no difference; see the README.)
 */
export function batchMatMul<T extends tf.Tensor3D | tf.Tensor4D>(a: T, b: T): T {
  return batchMatMulWithPlainGradients(a, b) as T;
}
