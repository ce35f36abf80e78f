import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { embeddingLookup, scatterAddRows } from './embedding-lookup.js';
import { TEST_BACKENDS, useTestBackend } from '@clapjs/test-backends';
import { expectClose } from '@clapjs/config/expect-close';

const vocab = 7;
const dim = 3;
const table = () => tf.tensor2d(new Rng(3).normalArray(vocab * dim), [vocab, dim]);
// Repeated ids: their gradient rows must add up.
const idValues = [
  [1, 4, 4, 0],
  [6, 1, 1, 1],
];
const upstream = () => tf.tensor3d(new Rng(4).normalArray(2 * 4 * dim), [2, 4, dim]);

/** The cpu backend's own tf.gather value and gradient: the reference. */
async function cpuGatherReference(): Promise<{ value: Float32Array; grad: Float32Array }> {
  await useTestBackend('cpu');
  return tf.tidy(() => {
    const ids = tf.tensor2d(idValues, [2, 4], 'int32');
    const dy = upstream();
    const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), dy)))(table());
    return {
      value: tf.gather(table(), ids).dataSync() as Float32Array,
      grad: grad.dataSync() as Float32Array,
    };
  });
}

/** Element-wise absolute tolerance 1e-6 (the shared check of @clapjs/config). */
const close = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  expectClose(a, b, 'values', { relative: 0, absolute: 1e-6 });

describe('embeddingLookup', () => {
  it.each(TEST_BACKENDS)('matches tf.gather and its cpu gradient on %s', async (backend) => {
    const reference = await cpuGatherReference();
    await useTestBackend(backend);
    const before = tf.memory().numTensors;
    const [value, grad] = tf.tidy(() => {
      const ids = tf.tensor2d(idValues, [2, 4], 'int32');
      const dy = upstream();
      const g = tf.grad((t: tf.Tensor) =>
        tf.sum(tf.mul(embeddingLookup(t as tf.Tensor2D, ids), dy)),
      )(table());
      const v = embeddingLookup(table(), ids);
      expect(v.shape).toEqual([2, 4, dim]);
      return [v.dataSync(), g.dataSync()];
    });
    close(value!, reference.value);
    close(grad!, reference.grad);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('uses the typed-array scatter-add where UnsortedSegmentSum is missing (wasm)', async () => {
    await useTestBackend('wasm');
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeUndefined();
  });

  it('scatterAddRows equals tf.unsortedSegmentSum', async () => {
    await useTestBackend('cpu');
    tf.tidy(() => {
      const rows = tf.tensor2d(new Rng(5).normalArray(8 * dim), [8, dim]);
      const ids = tf.tensor1d(idValues.flat(), 'int32');
      close(
        scatterAddRows(rows, ids, vocab).dataSync(),
        tf.unsortedSegmentSum(rows, ids, vocab).dataSync(),
      );
    });
  });
});
