import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { GELU_GRAD_KERNEL, GELU_KERNEL, Rng, selectBackend } from '@clapjs/core';
import { afterEach, describe, expect, it } from 'vitest';
import { expectClose } from '@clapjs/config/expect-close';
import { gelu } from './ops.js';

// core's GELU contract written out on the cpu backend's data (what a kernel pack provides), with
// erf as tfjs's Erf kernels approximate it; `calls` counts what runs.
const ERF = [0.3275911, 0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429];
function erf(x: number): number {
  const [p, a1, a2, a3, a4, a5] = ERF as [number, number, number, number, number, number];
  const v = Math.abs(x);
  const t = 1 / (1 + p * v);
  return Math.sign(x) * (1 - ((((a5 * t + a4) * t + a3) * t + a2) * t + a1) * t * Math.exp(-v * v));
}
const calls = { forward: 0, backward: 0 };
type CpuArgs = {
  inputs: Record<string, tf.TensorInfo>;
  backend: {
    readSync(id: object): Float32Array;
    makeTensorInfo(s: number[], d: string, v: Float32Array): tf.TensorInfo;
  };
};
function elementwise(
  name: string,
  f: (x: number, dy: number) => number,
  counter: 'forward' | 'backward',
) {
  return {
    kernelName: name,
    backendName: 'cpu',
    kernelFunc: (({ inputs, backend }: CpuArgs) => {
      calls[counter]++;
      const x = backend.readSync(inputs.x!.dataId);
      const dy = inputs.dy === undefined ? undefined : backend.readSync(inputs.dy.dataId);
      const out = x.map((xi, i) => f(xi, dy?.[i] ?? 1));
      return backend.makeTensorInfo(inputs.x!.shape, 'float32', out);
    }) as unknown as tf.KernelFunc,
  };
}
const FORWARD = elementwise(GELU_KERNEL, (x) => 0.5 * x * (1 + erf(x * Math.SQRT1_2)), 'forward');
const BACKWARD = elementwise(
  GELU_GRAD_KERNEL,
  (x, dy) =>
    dy *
    (0.5 * (1 + erf(x * Math.SQRT1_2)) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI)),
  'backward',
);

function valueAndGrad(x: tf.Tensor, w: tf.Tensor): { y: Float32Array; dx: Float32Array } {
  return tf.tidy(() => {
    const f = (t: tf.Tensor) => tf.sum(tf.mul(gelu(t), w));
    return { y: gelu(x).dataSync() as Float32Array, dx: tf.grad(f)(x).dataSync() as Float32Array };
  });
}

describe('gelu through a backend’s fused kernels', () => {
  afterEach(() => {
    for (const name of [GELU_KERNEL, GELU_GRAD_KERNEL])
      if (tf.getKernel(name, 'cpu') !== undefined) tf.unregisterKernel(name, 'cpu');
  });

  it('runs both kernels when both are registered, with the composed ops’ value and gradient', async () => {
    await selectBackend('cpu');
    const rng = new Rng(7);
    const x = tf.tensor(rng.normalArray(6 * 35, 0, 3), [6, 35]);
    const w = tf.tensor(rng.normalArray(6 * 35), [6, 35]);
    const composed = valueAndGrad(x, w);
    tf.registerKernel(FORWARD);
    tf.registerKernel(BACKWARD);
    calls.forward = calls.backward = 0;
    const before = tf.memory().numTensors;
    const fused = valueAndGrad(x, w);
    expect(tf.memory().numTensors).toBe(before);
    expect(calls).toEqual({ forward: 2, backward: 1 });
    expectClose(fused.y, composed.y, 'gelu', { relative: 1e-6 });
    expectClose(fused.dx, composed.dx, 'gelu gradient', { relative: 1e-5 });
    tf.dispose([x, w]);
  });

  it('keeps the composed ops when only the forward kernel is registered, and for int32 input', async () => {
    await selectBackend('cpu');
    tf.registerKernel(FORWARD);
    calls.forward = 0;
    const y = gelu(tf.tensor1d([-1, 0, 1, 2]));
    expectClose(await y.data(), [-0.15865526, 0, 0.84134474, 1.95449974], 'gelu', {
      relative: 0,
      absolute: 1e-5,
    });
    tf.registerKernel(BACKWARD);
    const yInt = gelu(tf.tensor1d([-1, 0, 1, 2], 'int32'));
    expect(yInt.dtype).toBe('float32');
    expect(calls.forward).toBe(0);
  });
});
