import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { registerWebgpuKernels, unregisterWebgpuKernels } from './index.js';
import { expectClose, useBackend } from './test-support.js';

const rng = new Rng(11);

async function addN(values: Float32Array[], shape: number[]): Promise<Float32Array> {
  const out = tf.tidy(() => tf.addN(values.map((v) => tf.tensor(v, shape))));
  const data = Float32Array.from(await out.data());
  out.dispose();
  return data;
}

describe('AddN on webgpu with the pack (≤ 1e-4·max|ref|)', () => {
  it('sums 62 tensors (more than one shader can bind) as the cpu backend does, leaking nothing', async () => {
    const shape = [40, 30]; // above tfjs's CPU hand-off size (1,000), so the GPU runs it
    const values = Array.from({ length: 62 }, () => Float32Array.from(rng.normalArray(1200)));
    await useBackend('cpu');
    const ref = await addN(values, shape);
    const ref3 = await addN(values.slice(0, 3), shape);
    await useBackend('webgpu');
    registerWebgpuKernels({ kernels: [] });
    const before = tf.memory().numTensors;
    expectClose(await addN(values, shape), ref, 'addN of 62');
    expectClose(await addN(values.slice(0, 3), shape), ref3, 'addN of 3 (the backend kernel)');
    expect(tf.memory().numTensors).toBe(before);
    // A fix, not a speed-up: unregistering the speed-ups keeps it.
    unregisterWebgpuKernels();
    expectClose(await addN(values, shape), ref, 'addN of 62 after unregister');
  });
});
