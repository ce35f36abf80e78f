import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@clapjs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWebgpuKernels, symmetricCrossEntropy } from './index.js';
import { expectClose, useBackend } from './test-support.js';

const N = 37;
const values = Float32Array.from(new Rng(3).normalArray(N * N, 0, 4));

/** tfjs's own formulation (as bench/clap-mini): ½(softmax CE over rows + over columns). */
function reference(c: tf.Tensor2D): tf.Scalar {
  const labels = tf.eye(N);
  return tf.mul(
    tf.add(
      tf.losses.softmaxCrossEntropy(labels, c),
      tf.losses.softmaxCrossEntropy(labels, tf.transpose(c)),
    ),
    0.5,
  ) as tf.Scalar;
}

async function lossAndGrad(
  f: (c: tf.Tensor2D) => tf.Scalar,
): Promise<[Float32Array, Float32Array]> {
  const c = tf.tensor2d(values, [N, N]);
  const { value, grad } = tf.valueAndGrad(f)(c);
  const out: [Float32Array, Float32Array] = [
    Float32Array.from(await value.data()),
    Float32Array.from(await grad.data()),
  ];
  tf.dispose([c, value, grad]);
  return out;
}

describe('symmetricCrossEntropy (fused on webgpu) against tfjs softmaxCrossEntropy on cpu', () => {
  beforeAll(() => useBackend('webgpu'));

  it('matches loss and gradient, fused on webgpu and as tfjs ops on cpu', async () => {
    await useBackend('cpu');
    const [refLoss, refGrad] = await lossAndGrad(reference);
    const [cpuLoss, cpuGrad] = await lossAndGrad(symmetricCrossEntropy);
    expectClose(cpuLoss, refLoss, 'loss (cpu)');
    expectClose(cpuGrad, refGrad, 'gradient (cpu)');
    await useBackend('webgpu');
    registerWebgpuKernels();
    const before = tf.memory().numTensors;
    let gpu: [Float32Array, Float32Array] | undefined;
    const profile = await tf.profile(async () => {
      gpu = await lossAndGrad(symmetricCrossEntropy);
    });
    const [gpuLoss, gpuGrad] = gpu!;
    expect(tf.memory().numTensors).toBe(before);
    const names = profile.kernels.map((k) => k.name);
    expect(names).toContain('ClapjsLogSumExpRowsCols');
    expect(names).toContain('ClapjsSymmetricCrossEntropyGrad');
    expectClose(gpuLoss, refLoss, 'loss (webgpu, fused)');
    expectClose(gpuGrad, refGrad, 'gradient (webgpu, fused)');
  });

  it('rejects a non-square matrix with a typed error', () => {
    const c = tf.zeros([2, 3]) as tf.Tensor2D;
    expect(() => symmetricCrossEntropy(c)).toThrow(/square.*\[2, 3\]/);
    c.dispose();
  });
});
