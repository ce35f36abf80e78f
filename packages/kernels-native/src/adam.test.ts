import * as tf from '@tensorflow/tfjs-core';
import { ADAM_UPDATE_KERNEL, Rng, selectBackend, type AdamUpdateAttrs } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { KernelPackError } from '@clapjs/kernels-wasm';
import { expectClose, NATIVE_EXPECTED, useNative } from './test-support.js';

/**
 * One Adam/AdamW step as tfjs ops, in the order and with the constants of @clapjs/trainer's
 * optimizer (the reference; run on the cpu backend, and on wasm for the bit-for-bit check).
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
    .runKernel(
      ADAM_UPDATE_KERNEL,
      { variable: variable!, m: m!, v: v!, gradient: g },
      a as unknown as tf.NamedAttrMap,
    ) as tf.Tensor[];
}

interface Case {
  shape: number[];
  attrs: Omit<AdamUpdateAttrs, 'step'>;
}

// Seeded shapes (scalars, odd sizes, a large one) × both kinds × decay on/off × clipping on/off.
const rng = new Rng(20);
const CASES: Case[] = Array.from({ length: 24 }, (_, i) => {
  const rank = i % 4;
  const shape =
    i === 23 ? [257, 129] : Array.from({ length: rank }, () => 1 + rng.int(i % 3 === 0 ? 40 : 7));
  return {
    shape,
    attrs: {
      kind: i % 2 === 0 ? 'adamw' : 'adam',
      lr: [1e-3, 2e-3, 0.05][i % 3]!,
      scale: i % 5 === 0 ? 1 : 0.1 + rng.next(),
      beta1: 0.9,
      beta2: i % 7 === 0 ? 0.98 : 0.999,
      epsilon: i % 3 === 0 ? 1e-6 : 1e-8,
      weightDecay: i % 4 < 2 ? 0.01 : 0,
    },
  };
});
const STEPS = 4;

/** STEPS updates from a seeded start; p, m, v after each step. */
function train(c: Case, step: typeof opsStep): Float32Array[][] {
  const r = new Rng(c.shape.reduce((a, b) => a * 31 + b, 5));
  const size = c.shape.reduce((a, b) => a * b, 1);
  let state = [tf.tensor(r.normalArray(size), c.shape), tf.zeros(c.shape), tf.zeros(c.shape)];
  const out: Float32Array[][] = [];
  for (let t = 1; t <= STEPS; t += 1) {
    // Step 3's gradient is tiny: ε and the bias corrections matter there.
    const g = tf.tensor(r.normalArray(size, 0, t === 3 ? 1e-3 : 1), c.shape);
    const next = step(state, g, { ...c.attrs, step: t });
    tf.dispose([...state, g]);
    state = next;
    out.push(state.map((s) => Float32Array.from(s.dataSync())));
  }
  tf.dispose(state);
  return out;
}

describe.runIf(NATIVE_EXPECTED)(`${ADAM_UPDATE_KERNEL} on wasm + kernels-native`, () => {
  it('gives the cpu backend’s Adam/AdamW ops (p, m, v after each of 4 steps) over seeded shapes', async () => {
    await selectBackend('cpu');
    const ref = CASES.map((c) => train(c, opsStep));
    await useNative();
    CASES.forEach((c, i) => {
      const got = train(c, fusedStep);
      got.forEach((state, t) =>
        state.forEach((values, k) =>
          expectClose(
            values,
            ref[i]![t]![k]!,
            `${c.attrs.kind} [${c.shape.join(',')}] step ${t + 1} ${'pmv'[k]}`,
          ),
        ),
      );
    });
  });

  it('is bit for bit the wasm backend’s own ops, and leaves no tensor behind', async () => {
    await useNative();
    const before = tf.memory().numTensors;
    for (const c of CASES) {
      const ops = train(c, opsStep);
      const fused = train(c, fusedStep);
      fused.forEach((state, t) =>
        state.forEach((values, k) =>
          expect(Array.from(values), `${c.attrs.kind} [${c.shape}] step ${t + 1}`).toEqual(
            Array.from(ops[t]![k]!),
          ),
        ),
      );
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses moments of another size with a typed error', async () => {
    await useNative();
    const attrs = { ...CASES[0]!.attrs, step: 1 };
    tf.tidy(() => {
      const call = () =>
        fusedStep([tf.ones([3]), tf.zeros([3]), tf.zeros([4])], tf.ones([3]), attrs);
      expect(call).toThrow(KernelPackError);
      expect(call).toThrow(/expected float32 variable, m, v and gradient of one size/);
    });
  });
});
