import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { registerWebgpuKernels } from './index.js';
import { expectClose, useBackend } from './test-support.js';

const rng = new Rng(5);

// Each op of a case reduces over leading axes (or is a whole-image AvgPool), the pack's cases;
// the last one reduces an inner axis, which the backend's own kernel keeps.
const cases: { label: string; shape: number[]; op: (x: tf.Tensor) => tf.Tensor }[] = [
  { label: 'sum over axis 0 (a bias gradient)', shape: [96, 40], op: (x) => tf.sum(x, 0) },
  { label: 'sum over axes 0, 1, keepDims', shape: [4, 24, 33], op: (x) => tf.sum(x, [1, 0], true) },
  { label: 'mean over axis 0, 2000 rows (split)', shape: [2000, 3], op: (x) => tf.mean(x, 0) },
  {
    label: 'BatchNorm statistics: avgPool over all 8064 rows',
    shape: [1, 8064, 1, 16],
    op: (x) => tf.avgPool(x as tf.Tensor4D, [8064, 1], [8064, 1], 'valid'),
  },
  {
    label: 'whole-image avgPool, batch 3',
    shape: [3, 9, 7, 5],
    op: (x) => tf.avgPool(x as tf.Tensor4D, [9, 7], 1, 'valid'),
  },
  {
    label: 'sum over the last axis (the backend kernel)',
    shape: [30, 50],
    op: (x) => tf.sum(x, 1),
  },
];

async function runAll(
  inputs: Float32Array[],
): Promise<{ values: Float32Array; shape: number[] }[]> {
  const outs = [];
  for (const [i, c] of cases.entries()) {
    const y = tf.tidy(() => c.op(tf.tensor(inputs[i]!, c.shape)));
    outs.push({ values: Float32Array.from(await y.data()), shape: y.shape });
    y.dispose();
  }
  return outs;
}

describe('reductions over leading axes on webgpu with the pack (≤ 1e-4·max|ref|)', () => {
  it('Sum, Mean and whole-image AvgPool match the cpu backend, shapes included, leaking nothing', async () => {
    const inputs = cases.map((c) =>
      Float32Array.from(rng.normalArray(c.shape.reduce((a, b) => a * b, 1)), (v) => v + 0.5),
    );
    await useBackend('cpu');
    const ref = await runAll(inputs);
    await useBackend('webgpu');
    registerWebgpuKernels();
    const before = tf.memory().numTensors;
    const got = await runAll(inputs);
    expect(tf.memory().numTensors).toBe(before);
    cases.forEach((c, i) => {
      expect(got[i]!.shape, c.label).toEqual(ref[i]!.shape);
      expectClose(got[i]!.values, ref[i]!.values, c.label);
    });
  });
});
