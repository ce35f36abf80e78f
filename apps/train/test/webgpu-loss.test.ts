import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  create,
  register,
  Rng,
  selectBackend,
  SYMMETRIC_CE_GRAD_KERNEL,
  SYMMETRIC_CE_LSE_KERNEL,
} from '@clapjs/core';
import { symmetricClapPlugin } from '@clapjs/losses';
import { expectClose } from '@clapjs/config/expect-close';
import { chooseBackend } from '../src/backend.js';

// The `symmetric-clap` loss as `clapjs train --backend webgpu` builds it, on SwiftShader (see
// webgpu.test.ts): the CLI's backend route registers @clapjs/kernels-webgpu, whose fused
// cross-entropy kernels the loss must then run, with the loss and gradient of the composed ops.
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (
  process.env.VK_ICD_FILENAMES === undefined &&
  process.env.VK_DRIVER_FILES === undefined &&
  existsSync(SWIFTSHADER)
)
  process.env.VK_ICD_FILENAMES = SWIFTSHADER;

const N = 24;
const values = Float32Array.from(new Rng(11).normalArray(N * N, 0, 5));

async function lossAndGrad(): Promise<{ loss: Float32Array; grad: Float32Array }> {
  register(symmetricClapPlugin);
  const loss = create('loss', { name: 'symmetric-clap' }, {});
  const c = tf.tensor2d(values, [N, N]);
  const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => loss.call(x as tf.Tensor2D))(c);
  const out = { loss: await value.data<'float32'>(), grad: await grad.data<'float32'>() };
  tf.dispose([c, value, grad]);
  return out;
}

describe('symmetric-clap on the CLI webgpu route (SwiftShader)', () => {
  it("runs the pack's fused kernels, with the composed loss's value and gradient", async () => {
    await selectBackend('cpu');
    const composed = await lossAndGrad();
    await chooseBackend('webgpu', () => {});
    let fused: { loss: Float32Array; grad: Float32Array } | undefined;
    const before = tf.memory().numTensors;
    const profile = await tf.profile(async () => {
      fused = await lossAndGrad();
    });
    expect(tf.memory().numTensors).toBe(before);
    const kernels = profile.kernels.map((k) => k.name);
    expect(kernels).toContain(SYMMETRIC_CE_LSE_KERNEL);
    expect(kernels).toContain(SYMMETRIC_CE_GRAD_KERNEL);
    expectClose(fused!.loss, composed.loss, 'loss (webgpu fused vs cpu composed)');
    expectClose(fused!.grad, composed.grad, 'gradient (webgpu fused vs cpu composed)');
  });
});
