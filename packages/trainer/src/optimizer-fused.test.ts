import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ADAM_UPDATE_KERNEL,
  Rng,
  selectBackend,
  type AdamUpdateAttrs,
  type NamedVariable,
} from '@clapjs/core';
import { AdamOptimizer, type AdamOptions } from './index.js';

// The optimizer hands each variable's update to the backend's ADAM_UPDATE_KERNEL when one is
// registered (@clapjs/kernels-webgpu tests its WGSL kernel against these ops on cpu). Here a
// scalar float32 implementation of core's documented contract is registered for cpu: the weights
// must come out as the ops path leaves them, so the optimizer must pass the right attributes.
const f = Math.fround;
let calls = 0;

interface CpuBackend {
  readSync(dataId: object): Float32Array;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

function adamByContract(args: {
  inputs: Record<string, tf.TensorInfo>;
  backend: CpuBackend;
  attrs: AdamUpdateAttrs;
}): tf.TensorInfo[] {
  calls += 1;
  const { inputs, backend, attrs: a } = args;
  const [p, m, v, g] = ['variable', 'm', 'v', 'gradient'].map((k) =>
    backend.readSync(inputs[k]!.dataId),
  ) as Float32Array[];
  const [p2, m2, v2] = [0, 1, 2].map(() => new Float32Array(p!.length));
  const l2 = a.kind === 'adam' ? f(a.weightDecay) : 0;
  const lrwd = a.kind === 'adamw' ? f(a.lr * a.weightDecay) : 0;
  const [c2, lrc1] = [f(1 - a.beta2 ** a.step), f(a.lr / (1 - a.beta1 ** a.step))];
  for (let i = 0; i < p!.length; i += 1) {
    let gi = f(g![i]! * f(a.scale));
    if (l2 !== 0) gi = f(gi + f(p![i]! * l2));
    m2![i] = f(f(m![i]! * f(a.beta1)) + f(gi * f(1 - a.beta1)));
    v2![i] = f(f(v![i]! * f(a.beta2)) + f(f(gi * gi) * f(1 - a.beta2)));
    const step = f(f(m2![i]! * lrc1) / f(f(Math.sqrt(f(v2![i]! / c2))) + f(a.epsilon)));
    p2![i] = lrwd === 0 ? f(p![i]! - step) : f(f(p![i]! - step) - f(p![i]! * lrwd));
  }
  return [p2!, m2!, v2!].map((x) => backend.makeTensorInfo(inputs.variable!.shape, 'float32', x));
}

function variables(seed: number): NamedVariable[] {
  const rng = new Rng(seed);
  const make = (path: string, shape: number[], decay: boolean): NamedVariable => {
    const size = shape.reduce((x, y) => x * y, 1);
    const variable = tf.tidy(() => tf.variable(tf.tensor(rng.normalArray(size), shape)));
    return { path, variable, trainable: true, decay };
  };
  return [make('w', [4, 3], true), make('b', [3], false)];
}

/** Three updates with seeded gradients, a schedule and clipping; returns the weights. */
function train(options: AdamOptions): Float32Array[] {
  const vars = variables(11);
  const opt = new AdamOptimizer(vars, options);
  const rng = new Rng(12);
  for (let t = 1; t <= 3; t += 1) {
    const grads = Object.fromEntries(
      vars.map((v) => [
        v.variable.name,
        tf.tensor(rng.normalArray(v.variable.size), v.variable.shape),
      ]),
    );
    opt.apply(grads, 0.01 * t, t === 2 ? 0.4 : 1);
    tf.dispose(Object.values(grads));
  }
  const out = vars.map((v) => v.variable.dataSync() as Float32Array);
  opt.dispose();
  for (const v of vars) v.variable.dispose();
  return out;
}

describe("AdamOptimizer with the backend's fused update kernel", () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it.each(['adam', 'adamw'] as const)(
    '%s: same weights as the ops path, one call per variable',
    (kind) => {
      const options = { kind, beta1: 0.8, beta2: 0.99, epsilon: 1e-3, weightDecay: 0.3 };
      let before = tf.memory().numTensors;
      const ops = train(options);
      const opsLeft = tf.memory().numTensors - before;
      tf.registerKernel({
        kernelName: ADAM_UPDATE_KERNEL,
        backendName: 'cpu',
        kernelFunc: adamByContract as unknown as tf.KernelFunc,
      });
      calls = 0;
      before = tf.memory().numTensors;
      let fused: Float32Array[];
      try {
        fused = train(options);
      } finally {
        tf.unregisterKernel(ADAM_UPDATE_KERNEL, 'cpu');
      }
      expect(calls).toBe(2 * 3);
      expect(opsLeft).toBe(0);
      expect(tf.memory().numTensors).toBe(before);
      fused.forEach((w, i) => {
        const ref = ops[i]!;
        const diff = Math.max(...w.map((x, j) => Math.abs(x - ref[j]!)));
        expect(diff).toBeLessThanOrEqual(1e-6 * Math.max(...ref.map(Math.abs)));
      });
    },
  );
});
