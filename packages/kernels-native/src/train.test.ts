import * as tf from '@tensorflow/tfjs-core';
import { Rng, selectBackend } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { NATIVE_EXPECTED, useNative } from './test-support.js';

interface Problem {
  x: Float32Array;
  w1: Float32Array;
  w2: Float32Array;
  w3: Float32Array;
  labels: Int32Array;
}

function problem(rng: Rng): Problem {
  return {
    x: rng.normalArray(4 * 16 * 12 * 3),
    w1: rng.normalArray(3 * 3 * 3 * 8, 0, 0.3),
    w2: rng.normalArray(3 * 3 * 8 * 16, 0, 0.2),
    w3: rng.normalArray(5 * 16, 0, 0.3),
    labels: Int32Array.from({ length: 4 }, () => rng.int(5)),
  };
}

/**
 * A small conv net (3×3 'same', 2×2 average pool 'same', 3×3 stride 2 'valid'), a transposed
 * matMul head and softmax cross-entropy, trained by SGD through tf.variableGrads: every native
 * kernel and gradient runs. Returns the loss and live-tensor count per step.
 */
function train(p: Problem, steps: number): { losses: number[]; counts: number[] } {
  const w1 = tf.variable(tf.tensor4d(p.w1, [3, 3, 3, 8]));
  const w2 = tf.variable(tf.tensor4d(p.w2, [3, 3, 8, 16]));
  const w3 = tf.variable(tf.tensor2d(p.w3, [5, 16]));
  const x = tf.tensor4d(p.x, [4, 16, 12, 3]);
  const labels = tf.cast(tf.oneHot(tf.tensor1d(p.labels, 'int32'), 5), 'float32');
  const losses: number[] = [];
  const counts: number[] = [];
  for (let step = 0; step < steps; step++) {
    const { value, grads } = tf.variableGrads(() => {
      const h1 = tf.relu(tf.conv2d(x, w1, 1, 'same'));
      const h2 = tf.relu(tf.conv2d(tf.avgPool(h1, 2, 1, 'same'), w2, 2, 'valid'));
      const pooled = tf.mean(h2, [1, 2]) as tf.Tensor2D;
      const logits = tf.matMul(pooled, w3, false, true);
      return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
    }, [w1, w2, w3]);
    losses.push(value.dataSync()[0]!);
    tf.tidy(() => {
      for (const v of [w1, w2, w3]) v.assign(tf.sub(v, tf.mul(grads[v.name] as tf.Tensor, 0.2)));
    });
    tf.dispose([value, grads]);
    counts.push(tf.memory().numTensors);
  }
  tf.dispose([w1, w2, w3, x, labels]);
  return { losses, counts };
}

describe.skipIf(!NATIVE_EXPECTED)('training on wasm with the native kernels', () => {
  it("follows the cpu backend's loss curve over 20 steps, with a constant number of tensors", async () => {
    const p = problem(new Rng(41));
    await selectBackend('cpu');
    const ref = train(p, 20);
    await useNative();
    const got = train(p, 20);
    ref.losses.forEach((r, i) =>
      expect(
        Math.abs(got.losses[i]! - r),
        `step ${i}: ${got.losses[i]} vs ${r}`,
      ).toBeLessThanOrEqual(1e-3 * Math.abs(r)),
    );
    expect(ref.losses[19]!).toBeLessThan(ref.losses[0]! * 0.8);
    expect(new Set(got.counts).size).toBe(1);
  });
});
