import * as tf from '@tensorflow/tfjs-core';
import { BATCH_NORM_GRAD_KERNEL, BATCH_NORM_KERNEL, Rng, selectBackend } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { KernelPackError } from '@clapjs/kernels-wasm';
import { expectClose, NATIVE_EXPECTED, useNative } from './test-support.js';

interface Case {
  rows: number;
  c: number;
  relu: boolean;
  x: Float32Array;
  gamma: Float32Array;
  beta: Float32Array;
  dy: Float32Array;
}

/**
 * The reference on the cpu backend: batch normalisation with the batch's statistics as plain tfjs
 * ops (tf.moments, biased variance) and tfjs's own gradient of them (x, γ, β), plus the outputs.
 */
function composed(k: Case, epsilon: number): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor2d(k.x, [k.rows, k.c]);
    const gamma = tf.tensor1d(k.gamma);
    const beta = tf.tensor1d(k.beta);
    const dy = tf.tensor2d(k.dy, [k.rows, k.c]);
    const f = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(xi, 0, true);
      const y = tf.add(tf.mul(tf.div(tf.sub(xi, mean), tf.sqrt(tf.add(variance, epsilon))), g), b);
      return k.relu ? tf.relu(y) : y;
    };
    const grads = tf.grads((xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(f(xi, g, b), dy)),
    )([x, gamma, beta]);
    const { mean, variance } = tf.moments(x, 0, true);
    return [f(x, gamma, beta), mean, variance, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

function fused(k: Case, epsilon: number): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor2d(k.x, [k.rows, k.c]);
    const gamma = tf.tensor1d(k.gamma);
    const attrs = { epsilon, relu: k.relu };
    const [y, mean, variance, invStd] = tf
      .engine()
      .runKernel(BATCH_NORM_KERNEL, { x, gamma, beta: tf.tensor1d(k.beta) }, attrs) as tf.Tensor[];
    const dy = tf.tensor2d(k.dy, [k.rows, k.c]);
    const grads = tf
      .engine()
      .runKernel(
        BATCH_NORM_GRAD_KERNEL,
        { dy, x, gamma, mean: mean!, invStd: invStd!, y: y! },
        attrs,
      ) as tf.Tensor[];
    return [y!, mean!, variance!, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

// Seeded shapes: one row, odd channel counts, a large CNN-like case; inputs off-centre and scaled
// (mean 3, spread 2) so that the centring matters; ReLU on and off.
const rng = new Rng(29);
const CASES: Case[] = Array.from({ length: 12 }, (_, i) => {
  const rows = i === 0 ? 1 : i === 11 ? 4032 : 2 + rng.int(i % 2 === 0 ? 300 : 20);
  const c = i === 11 ? 16 : [1, 3, 8, 17, 64][i % 5]!;
  return {
    rows,
    c,
    relu: i % 2 === 1,
    x: rng.normalArray(rows * c, 3, 2),
    gamma: rng.normalArray(c, 1, 0.5),
    beta: rng.normalArray(c, 0, 0.5),
    dy: rng.normalArray(rows * c),
  };
});
const NAMES = ['y', 'mean', 'variance', 'dx', 'dGamma', 'dBeta'];

describe.skipIf(!NATIVE_EXPECTED)('the native BatchNorm kernels', () => {
  it('match tf.moments-based ops and their gradient on the cpu backend (seeded shapes)', async () => {
    await selectBackend('cpu');
    const ref = CASES.map((k) => composed(k, 1e-5));
    await useNative();
    CASES.forEach((k, i) => {
      const got = fused(k, 1e-5);
      // A one-row batch has zero variance: y = β and dx = 0 whatever the rounding.
      NAMES.forEach((name, j) =>
        expectClose(got[j]!, ref[i]![j]!, `${name} [${k.rows}, ${k.c}] relu ${k.relu}`, {
          relative: 1e-4,
          absolute: k.rows === 1 ? 1e-6 : 0,
        }),
      );
    });
  });

  it('keep the number of tensors constant across calls', async () => {
    await useNative();
    fused(CASES[11]!, 1e-5);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) fused(CASES[11]!, 1e-5);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reject inputs of the wrong rank, shape or dtype with a KernelPackError', async () => {
    await useNative();
    const run = (inputs: Record<string, tf.Tensor>) => () =>
      tf.tidy(() =>
        tf.engine().runKernel(BATCH_NORM_KERNEL, inputs, { epsilon: 1e-5, relu: false }),
      );
    const gamma = tf.ones([3]);
    expect(run({ x: tf.ones([2, 4, 3]), gamma, beta: gamma })).toThrow(
      /expected x float32 \[rows, C\]/,
    );
    expect(run({ x: tf.ones([4, 3]), gamma: tf.ones([4]), beta: gamma })).toThrow(KernelPackError);
    expect(run({ x: tf.ones([4, 3], 'int32'), gamma, beta: gamma })).toThrow(KernelPackError);
    expect(run({ x: tf.ones([4, 3]), gamma, beta: gamma })).not.toThrow();
  });
});
