import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { batchMatMul } from './batch-matmul.js';
import { TEST_BACKENDS, useTestBackend } from '@clapjs/test-backends';

describe.each(TEST_BACKENDS)('batchMatMul on %s', (backend) => {
  it.each([
    [
      [2, 3, 4],
      [2, 4, 5],
    ],
    [
      [2, 3, 4, 5],
      [2, 3, 5, 2],
    ],
  ])('has the value and gradients of tf.matMul for %j · %j', async (shapeA, shapeB) => {
    await useTestBackend(backend);
    const rng = new Rng(2);
    const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
    tf.tidy(() => {
      const a = tf.tensor(rng.normalArray(size(shapeA)), shapeA);
      const b = tf.tensor(rng.normalArray(size(shapeB)), shapeB);
      const out = tf.matMul(a, b);
      const w = tf.tensor(rng.normalArray(size(out.shape)), out.shape);
      const loss = (f: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor) => (x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.mul(f(x, y), w));
      const ours = tf.grads(loss((x, y) => batchMatMul(x as tf.Tensor3D, y as tf.Tensor3D)))([
        a,
        b,
      ]);
      const theirs = tf.grads(loss((x, y) => tf.matMul(x, y)))([a, b]);
      const pairs: [tf.Tensor, tf.Tensor][] = [
        [batchMatMul(a as tf.Tensor3D, b as tf.Tensor3D), out],
        [ours[0]!, theirs[0]!],
        [ours[1]!, theirs[1]!],
      ];
      for (const [x, y] of pairs) {
        expect(x.shape).toEqual(y.shape);
        const dx = x.dataSync();
        const dy = y.dataSync();
        for (let i = 0; i < dx.length; i++) expect(Math.abs(dx[i]! - dy[i]!)).toBeLessThan(1e-4);
      }
    });
  });
});
