import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { dense, dropout, gelu, geluTanh, l2Normalize, matMul } from './ops.js';
import { layerNorm } from './layer-norm.js';
import { TEST_BACKENDS, useTestBackend } from '@clapjs/test-backends';
import { expectClose } from '@clapjs/config/expect-close';

/** Element-wise absolute tolerance (the shared check of @clapjs/config). */
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) =>
  expectClose(a, b, 'values', { relative: 0, absolute: tol });

describe.each(TEST_BACKENDS)('ops on %s', (backend) => {
  it('matMul has the same value and gradients as tf.matMul', async () => {
    await useTestBackend(backend);
    const rng = new Rng(1);
    const a = tf.tensor2d(rng.normalArray(12), [3, 4]);
    const b = tf.tensor2d(rng.normalArray(20), [4, 5]);
    const w = tf.tensor2d(rng.normalArray(15), [3, 5]);
    const ours = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(matMul(x as tf.Tensor2D, y as tf.Tensor2D), w)),
    );
    const theirs = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D), w)),
    );
    const [da, db] = ours([a, b]);
    const [ea, eb] = theirs([a, b]);
    close(await da!.data(), await ea!.data());
    close(await db!.data(), await eb!.data());
    close(await matMul(a, b).data(), await tf.matMul(a, b).data());
  });

  it('matMul’s gradient materialises transposes only on plain wasm (its transposed matMul is the slow path)', async () => {
    await useTestBackend(backend);
    const a = tf.ones([3, 4]) as tf.Tensor2D;
    const b = tf.ones([4, 5]) as tf.Tensor2D;
    const info = await tf.profile(() =>
      tf.dispose(
        tf.grads((x: tf.Tensor, y: tf.Tensor) =>
          tf.sum(matMul(x as tf.Tensor2D, y as tf.Tensor2D)),
        )([a, b]),
      ),
    );
    const transposes = info.kernels.filter((k) => k.name === 'Transpose').length;
    expect(transposes).toBe(backend === 'wasm' ? 2 : 0);
    tf.dispose([a, b]);
  });

  it('dense applies over the last axis of a rank-3 input', async () => {
    await useTestBackend(backend);
    const x = tf.ones([2, 3, 4]);
    const y = dense(x, tf.fill([4, 5], 0.5) as tf.Tensor2D, tf.fill([5], 1) as tf.Tensor1D);
    expect(y.shape).toEqual([2, 3, 5]);
    close(await y.data(), new Array(30).fill(3));
  });

  it('layerNorm gives zero mean and unit variance rows before the affine part', async () => {
    await useTestBackend(backend);
    const x = tf.tensor2d([1, 2, 3, 4, 10, 20, 30, 40], [2, 4]);
    const y = layerNorm(x, tf.ones([4]) as tf.Tensor1D, tf.zeros([4]) as tf.Tensor1D);
    const v = await y.data();
    // (x - mean) / sqrt(var + eps) for [1,2,3,4]: var = 1.25
    close(
      Array.from(v.slice(0, 4)),
      [-1.5, -0.5, 0.5, 1.5].map((d) => d / Math.sqrt(1.25 + 1e-5)),
      1e-4,
    );
    close(Array.from(v.slice(4)), Array.from(v.slice(0, 4)), 1e-4);
  });

  it('gelu matches the erf form (PyTorch nn.GELU)', async () => {
    await useTestBackend(backend);
    close(
      await gelu(tf.tensor1d([-1, 0, 1, 2])).data(),
      [-0.15865526, 0, 0.84134474, 1.95449974],
      1e-5,
    );
  });

  it('geluTanh matches PyTorch’s tanh approximation (GPT-2 gelu_new), not the erf form', async () => {
    await useTestBackend(backend);
    const got = await geluTanh(tf.tensor1d([-3, -1, 0, 0.5, 1, 2])).data();
    close(got, [-0.0036373, -0.158808, 0, 0.345714, 0.841192, 1.9545977], 1e-5);
    expect(Math.abs(got[1]! - -0.15865526)).toBeGreaterThan(1e-4);
  });

  it('l2Normalize makes every row unit length and leaves a zero row at zero', async () => {
    await useTestBackend(backend);
    const y = l2Normalize(tf.tensor2d([3, 4, 0, 0], [2, 2]));
    close(await y.data(), [0.6, 0.8, 0, 0]);
  });

  it('dropout is the identity at inference and zeroes about `rate` when training', async () => {
    await useTestBackend(backend);
    const x = tf.ones([1000]);
    expect(dropout(x, 0.5, new Rng(1), false)).toBe(x);
    const kept = (await dropout(x, 0.5, new Rng(1), true).data()).filter((v) => v > 0).length;
    expect(kept).toBeGreaterThan(400);
    expect(kept).toBeLessThan(600);
  });
});
