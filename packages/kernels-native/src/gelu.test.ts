import * as tf from '@tensorflow/tfjs-core';
import { GELU_GRAD_KERNEL, GELU_KERNEL, Rng, selectBackend } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { KernelPackError } from '@clapjs/kernels-wasm';
import { expectClose, NATIVE_EXPECTED, useNative } from './test-support.js';

/** The reference: GELU's erf form as tfjs ops (run on the cpu backend) and tfjs's own gradient. */
function composed(x: tf.Tensor, dy: tf.Tensor): [Float32Array, Float32Array] {
  return tf.tidy(() => {
    const f = (t: tf.Tensor) => tf.mul(tf.mul(t, 0.5), tf.add(1, tf.erf(tf.mul(t, Math.SQRT1_2))));
    const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), dy)))(x);
    return [f(x).dataSync() as Float32Array, dx.dataSync() as Float32Array];
  });
}

function fused(x: tf.Tensor, dy: tf.Tensor): [Float32Array, Float32Array] {
  return tf.tidy(() => {
    const y = tf.engine().runKernel(GELU_KERNEL, { x }) as tf.Tensor;
    const dx = tf.engine().runKernel(GELU_GRAD_KERNEL, { dy, x }) as tf.Tensor;
    return [y.dataSync() as Float32Array, dx.dataSync() as Float32Array];
  });
}

// Seeded shapes: scalars, odd sizes (vector tails), one past the threaded size (1 << 16), and
// inputs spread wide enough to reach erf's saturation (|x| > 4) and e^(−x²/2)'s underflow (|x| > 13).
const rng = new Rng(23);
const CASES = Array.from({ length: 16 }, (_, i) => {
  const rank = i % 4;
  const shape =
    i === 14
      ? [257, 300]
      : i === 15
        ? [3, 1]
        : Array.from({ length: rank }, () => 1 + rng.int(i % 3 === 0 ? 60 : 9));
  const size = shape.reduce((a, b) => a * b, 1);
  const spread = [0.5, 2, 6, 20][i % 4]!;
  return { shape, x: rng.normalArray(size, 0, spread), dy: rng.normalArray(size) };
});

describe.skipIf(!NATIVE_EXPECTED)('the native GELU kernels', () => {
  it('match the composed erf form and its gradient on the cpu backend (seeded shapes)', async () => {
    await selectBackend('cpu');
    const ref = CASES.map((c) => composed(tf.tensor(c.x, c.shape), tf.tensor(c.dy, c.shape)));
    await useNative();
    // Float32 rounding of the O(1) terms (cdf, x·pdf) that the gradient sums: ~1e-7 absolute.
    const tolerance = { relative: 1e-5, absolute: 1e-7 };
    CASES.forEach((c, i) => {
      const [y, dx] = fused(tf.tensor(c.x, c.shape), tf.tensor(c.dy, c.shape));
      const label = `[${c.shape.join(', ')}]`;
      expectClose(y, ref[i]![0], `${GELU_KERNEL} ${label}`, tolerance);
      expectClose(dx, ref[i]![1], `${GELU_GRAD_KERNEL} ${label}`, tolerance);
    });
  });

  it('keep the number of tensors constant across calls and handle empty tensors', async () => {
    await useNative();
    const x = tf.tensor(CASES[14]!.x, CASES[14]!.shape);
    fused(x, x);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) fused(x, x);
    expect(tf.memory().numTensors).toBe(before);
    const [y, dx] = fused(tf.zeros([0, 3]), tf.zeros([0, 3]));
    expect([y.length, dx.length]).toEqual([0, 0]);
    x.dispose();
  });

  it('reject mismatched shapes and other dtypes with a KernelPackError', async () => {
    await useNative();
    const run =
      (inputs: Record<string, tf.Tensor>, name = GELU_GRAD_KERNEL) =>
      () =>
        tf.tidy(() => tf.engine().runKernel(name, inputs));
    expect(run({ dy: tf.ones([2, 3]), x: tf.ones([3, 2]) })).toThrow(KernelPackError);
    expect(run({ dy: tf.ones([2, 3]), x: tf.ones([2, 3]) })).not.toThrow();
    expect(run({ x: tf.ones([4], 'int32') }, GELU_KERNEL)).toThrow(/expected float32 x/);
  });
});
