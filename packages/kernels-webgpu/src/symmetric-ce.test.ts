import * as tf from '@tensorflow/tfjs-core';
import { Rng, SYMMETRIC_CE_GRAD_KERNEL, SYMMETRIC_CE_LSE_KERNEL } from '@clapjs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWebgpuKernels } from './index.js';
import { expectClose, useBackend } from './test-support.js';

const N = 37;
const DY = 0.7;
const values = Float32Array.from(new Rng(3).normalArray(N * N, 0, 4));

/** tfjs's own formulation on cpu: ½(softmax CE over rows + over columns), and DY × its gradient. */
async function reference(): Promise<{ lse: Float32Array; grad: Float32Array }> {
  await useBackend('cpu');
  const c = tf.tensor2d(values, [N, N]);
  const lse = tf.stack([tf.logSumExp(c, 1), tf.logSumExp(c, 0)]);
  const grad = tf.grad((x: tf.Tensor) => {
    const labels = tf.eye(N);
    const rows = tf.losses.softmaxCrossEntropy(labels, x);
    const cols = tf.losses.softmaxCrossEntropy(labels, tf.transpose(x));
    return tf.mul<tf.Scalar>(tf.add(rows, cols), 0.5 * DY);
  })(c);
  const out = { lse: await lse.data<'float32'>(), grad: await grad.data<'float32'>() };
  tf.dispose([c, lse, grad]);
  return out;
}

describe("core's fused symmetric cross-entropy kernels on webgpu", () => {
  beforeAll(() => useBackend('webgpu'));

  it("follow core's contract: log-sum-exps of rows and columns, and the loss's gradient", async () => {
    const ref = await reference();
    await useBackend('webgpu');
    registerWebgpuKernels();
    expect(tf.getKernel(SYMMETRIC_CE_LSE_KERNEL, 'webgpu')).toBeDefined();
    const before = tf.memory().numTensors;
    const c = tf.tensor2d(values, [N, N]);
    const lse = tf.engine().runKernel<tf.Tensor>(SYMMETRIC_CE_LSE_KERNEL, { x: c });
    const dy = tf.tensor1d([DY]);
    const grad = tf.engine().runKernel<tf.Tensor>(SYMMETRIC_CE_GRAD_KERNEL, { x: c, lse, dy });
    expect(lse.shape).toEqual([2, N]);
    expect(grad.shape).toEqual([N, N]);
    expectClose(await lse.data(), ref.lse, 'log-sum-exps (webgpu)');
    expectClose(await grad.data(), ref.grad, 'gradient (webgpu)');
    tf.dispose([c, lse, dy, grad]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
