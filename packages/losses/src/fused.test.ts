import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Rng, SYMMETRIC_CE_GRAD_KERNEL, SYMMETRIC_CE_LSE_KERNEL } from '@clapjs/core';
import { useTestBackend } from '@clapjs/test-backends';
import { expectClose } from '@clapjs/config/expect-close';
import { symmetricClapLoss } from './index.js';
import { hasFusedSymmetricKernels } from './fused.js';

// symmetricClapLoss hands the work to core's fused kernels when the backend has them
// (@clapjs/kernels-webgpu provides them for webgpu, where apps/train's tests check the pair on
// a Dawn adapter). Here a scalar float32 implementation of core's documented contract is
// registered for cpu: loss and gradient must come out as the composed ops compute them, and as
// PyTorch's committed references say.

interface CpuBackend {
  readSync(dataId: object): Float32Array;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}
type Args = { inputs: Record<string, tf.TensorInfo>; backend: CpuBackend };

const calls = { lse: 0, grad: 0 };

function lseByContract({ inputs, backend }: Args): tf.TensorInfo {
  calls.lse += 1;
  const n = inputs.x!.shape[0]!;
  const x = backend.readSync(inputs.x!.dataId);
  const out = new Float32Array(2 * n);
  for (let line = 0; line < n; line++) {
    for (const [slot, at] of [
      [0, (t: number) => x[line * n + t]!],
      [1, (t: number) => x[t * n + line]!],
    ] as const) {
      let top = -Infinity;
      for (let t = 0; t < n; t++) top = Math.max(top, at(t));
      let s = 0;
      for (let t = 0; t < n; t++) s += Math.exp(at(t) - top);
      out[slot * n + line] = top + Math.log(s);
    }
  }
  return backend.makeTensorInfo([2, n], 'float32', out);
}

function gradByContract({ inputs, backend }: Args): tf.TensorInfo {
  calls.grad += 1;
  const n = inputs.x!.shape[0]!;
  const [x, lse, dy] = ['x', 'lse', 'dy'].map((k) => backend.readSync(inputs[k]!.dataId)) as [
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const v = x[i * n + j]!;
      const both = Math.exp(v - lse[i]!) + Math.exp(v - lse[n + j]!) - (i === j ? 2 : 0);
      out[i * n + j] = (dy[0]! * both) / (2 * n);
    }
  return backend.makeTensorInfo([n, n], 'float32', out);
}

function registerContractKernels(): void {
  tf.registerKernel({
    kernelName: SYMMETRIC_CE_LSE_KERNEL,
    backendName: 'cpu',
    kernelFunc: lseByContract as unknown as tf.KernelFunc,
  });
  tf.registerKernel({
    kernelName: SYMMETRIC_CE_GRAD_KERNEL,
    backendName: 'cpu',
    kernelFunc: gradByContract as unknown as tf.KernelFunc,
  });
}

function unregisterContractKernels(): void {
  for (const name of [SYMMETRIC_CE_LSE_KERNEL, SYMMETRIC_CE_GRAD_KERNEL])
    if (tf.getKernel(name, 'cpu') !== undefined) tf.unregisterKernel(name, 'cpu');
}

async function lossAndGrad(c: tf.Tensor2D): Promise<{ loss: Float32Array; grad: Float32Array }> {
  const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => symmetricClapLoss(x as tf.Tensor2D))(c);
  const out = { loss: await value.data<'float32'>(), grad: await grad.data<'float32'>() };
  tf.dispose([value, grad]);
  return out;
}

const fixtures = (
  JSON.parse(readFileSync(new URL('../fixtures/torch-losses.json', import.meta.url), 'utf8')) as {
    cases: {
      name: string;
      n: number;
      logits: number[];
      losses: Record<string, number>;
      grads: Record<string, number[]>;
    }[];
  }
).cases;

describe("symmetricClapLoss through the backend's fused kernels (a contract implementation on cpu)", () => {
  beforeAll(async () => {
    await useTestBackend('cpu');
  });
  afterEach(unregisterContractKernels);

  it('uses the kernels only when the backend has both, and then gives the composed loss and gradient', async () => {
    const n = 37;
    // Logits spread as a trained model's (|C| up to ~16), pairs not on a dominant diagonal.
    const c = tf.tensor2d(new Rng(3).normalArray(n * n, 0, 4), [n, n]);
    expect(hasFusedSymmetricKernels()).toBe(false);
    const composed = await lossAndGrad(c);
    registerContractKernels();
    expect(hasFusedSymmetricKernels()).toBe(true);
    calls.lse = calls.grad = 0;
    const fused = await lossAndGrad(c);
    expect(calls).toEqual({ lse: 1, grad: 1 });
    expectClose(fused.loss, composed.loss, 'loss', { relative: 1e-6 });
    expectClose(fused.grad, composed.grad, 'gradient', { relative: 1e-6 });
    c.dispose();
  });

  it('matches PyTorch on every committed fixture (value with and without a gradient tape)', async () => {
    registerContractKernels();
    for (const f of fixtures) {
      const c = tf.tensor2d(f.logits, [f.n, f.n]);
      const { loss, grad } = await lossAndGrad(c);
      const opts = { relative: 1e-5, absolute: 1e-5 };
      expectClose(loss, [f.losses['symmetric-clap']!], `${f.name}: loss`, opts);
      expectClose(grad, f.grads['symmetric-clap']!, `${f.name}: gradient`, opts);
      const evaluation = symmetricClapLoss(c);
      expectClose(await evaluation.data(), [f.losses['symmetric-clap']!], `${f.name}: eval`, opts);
      tf.dispose([c, evaluation]);
    }
  });

  it('leaks no tensors across training steps', () => {
    registerContractKernels();
    const c = tf.variable(tf.tensor2d(new Rng(5).normalArray(64), [8, 8]));
    const step = () =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => symmetricClapLoss(c), [c]);
        c.assign(tf.sub(c, tf.mul(grads[c.name]!, 0.1)));
      });
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    c.dispose();
  });
});
