import * as tf from '@tensorflow/tfjs-core';
import { GLOBAL_NORM_KERNEL, Rng } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { useTestBackend } from '@clapjs/test-backends';
import { globalNorm } from './index.js';

// Gradients of a small model's shapes (a scalar, a bias, matrices, a conv filter), seeded.
const rng = new Rng(11);
const SHAPES = [[], [7], [33, 5], [3, 3, 4, 8], [129]];
const VALUES = SHAPES.map((s) =>
  rng.normalArray(
    s.reduce((a, b) => a * b, 1),
    0,
    0.3,
  ),
);

/** The global norm of the gradients on the active backend, its kernels and what it leaves. */
async function normOn(): Promise<{ norm: number; kernels: string[]; left: number }> {
  const grads = SHAPES.map((s, i) => tf.tensor(VALUES[i]!, s));
  const before = tf.memory().numTensors;
  const info = await tf.profile(() => globalNorm(grads));
  const norm = (info.result as tf.Tensor).dataSync()[0]!;
  tf.dispose(info.result as tf.Tensor);
  const left = tf.memory().numTensors - before;
  tf.dispose(grads);
  return { norm, kernels: info.kernels.map((k) => k.name), left };
}

describe('globalNorm', () => {
  it('runs as one fused kernel call on wasm + kernels-native, with the composed ops’ value', async () => {
    await useTestBackend('cpu');
    const ref = await normOn();
    expect(ref.kernels).not.toContain(GLOBAL_NORM_KERNEL);
    await useTestBackend('wasm+native');
    const got = await normOn();
    expect(got.kernels).toEqual([GLOBAL_NORM_KERNEL]);
    expect(Math.abs(got.norm - ref.norm)).toBeLessThanOrEqual(1e-6 * ref.norm);
    expect(got.left).toBe(0);
    await useTestBackend('wasm+pack');
    expect((await normOn()).kernels).not.toContain(GLOBAL_NORM_KERNEL);
  });
});
