import * as tf from '@tensorflow/tfjs-core';
import { ADAM_UPDATE_KERNEL, Rng, type AdamUpdateAttrs } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { registerWebgpuKernels } from './index.js';
import { expectClose, useBackend } from './test-support.js';

interface State {
  p: Float32Array;
  m: Float32Array;
  v: Float32Array;
}

/**
 * One Adam/AdamW step as tfjs ops, in the order and with the constants the trainer's optimizer
 * uses (the independent reference: it runs on the cpu backend).
 */
function opsStep(s: tf.Tensor[], g: tf.Tensor, a: AdamUpdateAttrs): tf.Tensor[] {
  return tf.tidy(() => {
    const [p, m0, v0] = s as [tf.Tensor, tf.Tensor, tf.Tensor];
    const decay = a.weightDecay > 0;
    const c1 = 1 - a.beta1 ** a.step;
    const c2 = 1 - a.beta2 ** a.step;
    const scaled = a.scale === 1 ? g : tf.mul(g, a.scale);
    const grad = decay && a.kind === 'adam' ? tf.add(scaled, tf.mul(p, a.weightDecay)) : scaled;
    const m = tf.add(tf.mul(m0, a.beta1), tf.mul(grad, 1 - a.beta1));
    const v = tf.add(tf.mul(v0, a.beta2), tf.mul(tf.square(grad), 1 - a.beta2));
    const update = tf.div(tf.mul(m, a.lr / c1), tf.add(tf.sqrt(tf.div(v, c2)), a.epsilon));
    const stepped = tf.sub(p, update);
    const next =
      decay && a.kind === 'adamw' ? tf.sub(stepped, tf.mul(p, a.lr * a.weightDecay)) : stepped;
    return [next, m, v];
  });
}

function fusedStep(s: tf.Tensor[], g: tf.Tensor, a: AdamUpdateAttrs): tf.Tensor[] {
  const [variable, m, v] = s;
  return tf
    .engine()
    .runKernel<tf.Tensor[]>(
      ADAM_UPDATE_KERNEL,
      { variable: variable!, m: m!, v: v!, gradient: g },
      a as unknown as tf.NamedAttrMap,
    );
}

const STEPS = 4;

/** Runs STEPS updates from a seeded start; returns p, m, v after each step. */
async function train(
  shape: number[],
  base: Omit<AdamUpdateAttrs, 'step'>,
  step: typeof opsStep,
): Promise<State[]> {
  const rng = new Rng(shape.reduce((a, b) => a * 31 + b, 5));
  const size = shape.reduce((a, b) => a * b, 1);
  let state = [tf.tensor(rng.normalArray(size), shape), tf.zeros(shape), tf.zeros(shape)];
  const states: State[] = [];
  for (let t = 1; t <= STEPS; t += 1) {
    const g = tf.tensor(rng.normalArray(size, 0, t === 3 ? 1e-3 : 1), shape);
    const next = step(state, g, { ...base, step: t });
    tf.dispose([...state, g]);
    state = next;
    const [p, m, v] = await Promise.all(state.map((x) => x.data() as Promise<Float32Array>));
    states.push({ p: p!, m: m!, v: v! });
  }
  tf.dispose(state);
  return states;
}

const cases: [number[], Omit<AdamUpdateAttrs, 'step'>][] = [
  [
    [7],
    {
      kind: 'adamw',
      lr: 1e-3,
      scale: 1,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      weightDecay: 0.2,
    },
  ],
  [
    [5, 13],
    {
      kind: 'adam',
      lr: 3e-2,
      scale: 0.37,
      beta1: 0.8,
      beta2: 0.99,
      epsilon: 1e-6,
      weightDecay: 0.05,
    },
  ],
  [
    [3, 4, 33],
    { kind: 'adamw', lr: 5e-3, scale: 0.5, beta1: 0.9, beta2: 0.98, epsilon: 1e-3, weightDecay: 0 },
  ],
];

describe('fused Adam update (webgpu) against the optimizer ops on cpu', () => {
  it.each(cases)('%j', async (shape, attrs) => {
    await useBackend('cpu');
    const ref = await train(shape, attrs, opsStep);
    await useBackend('webgpu');
    registerWebgpuKernels();
    const before = tf.memory().numTensors;
    const got = await train(shape, attrs, fusedStep);
    expect(tf.memory().numTensors).toBe(before);
    got.forEach((s, i) => {
      for (const key of ['p', 'm', 'v'] as const) {
        expectClose(s[key], ref[i]![key], `${key} after step ${i + 1}`, { relative: 1e-5 });
      }
    });
    // The update did something a user would notice: the weights moved.
    expect(got[STEPS - 1]!.p).not.toEqual(got[0]!.p);
  });

  it('leaves its inputs unchanged and refuses mismatched sizes', async () => {
    await useBackend('webgpu');
    registerWebgpuKernels();
    const p = tf.tensor([1, 2, 3]);
    const zeros = tf.zeros([3]);
    const attrs = { ...cases[0]![1], step: 1 };
    const out = fusedStep([p, zeros, zeros], tf.ones([3]), attrs);
    expect(Array.from(await p.data())).toEqual([1, 2, 3]);
    expect(Array.from(await out[0]!.data())).not.toEqual([1, 2, 3]);
    expect(() => fusedStep([p, zeros, zeros], tf.ones([4]), attrs)).toThrow(/one size/);
    tf.dispose([p, zeros, ...out]);
  });
});
