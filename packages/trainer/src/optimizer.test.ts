import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '@clapjs/core';
import type { NamedVariable } from '@clapjs/core';
import { AdamOptimizer, globalNorm, warmupCosine } from './index.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

function named(path: string, values: number[], decay: boolean): NamedVariable {
  return { path, variable: tf.variable(tf.tensor1d(values), true), trainable: true, decay };
}

describe('AdamOptimizer', () => {
  it('matches the AdamW update by hand, with no decay where decay is false', () => {
    const w = named('w', [1, -2], true);
    const b = named('b', [0.5], false);
    const opt = new AdamOptimizer([w, b], {
      kind: 'adamw',
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      weightDecay: 0.1,
    });
    const g = { [w.variable.name]: tf.tensor1d([0.2, -0.4]), [b.variable.name]: tf.tensor1d([1]) };
    opt.apply(g, 0.01);
    // Step 1: m̂ = g, v̂ = g², so the Adam step is lr·sign(g); AdamW also subtracts lr·wd·p.
    const expected = [1 - 0.01 - 0.01 * 0.1 * 1, -2 + 0.01 - 0.01 * 0.1 * -2];
    const got = Array.from(w.variable.dataSync());
    expected.forEach((e, i) => expect(got[i]).toBeCloseTo(e, 6));
    expect(b.variable.dataSync()[0]).toBeCloseTo(0.5 - 0.01, 6);
    tf.dispose(Object.values(g));
    opt.dispose();
  });

  it('holds a few copies of the largest weight while updating, not copies of every weight', async () => {
    // 20 weights of 100k values (8 MB in all): the update's temporaries must not pile up.
    const weights = Array.from({ length: 20 }, (_, i) =>
      named(
        `w${i}`,
        Array.from({ length: 100_000 }, (_, j) => Math.sin(i + j)),
        i % 2 === 0,
      ),
    );
    for (const kind of ['adamw', 'adam'] as const) {
      const opt = new AdamOptimizer(weights, {
        kind,
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
        weightDecay: 0.1,
      });
      const grads = Object.fromEntries(
        weights.map((w) => [w.variable.name, tf.onesLike(w.variable)]),
      );
      const before = tf.memory().numTensors;
      const info = await tf.profile(() => opt.apply(grads, 0.01, 0.5));
      const oneWeight = 100_000 * 4;
      // tf.profile's peakBytes is the engine's high-water mark during apply.
      expect(info.peakBytes - tf.memory().numBytes).toBeLessThanOrEqual(5 * oneWeight);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose(Object.values(grads));
      opt.dispose();
    }
    for (const w of weights) w.variable.dispose();
  });

  it('globalNorm squares one gradient at a time', async () => {
    const grads = Array.from({ length: 20 }, (_, i) => tf.fill([100_000], i % 3));
    const info = await tf.profile(() => globalNorm(grads).dispose());
    // Σ over 20 gradients of 100k × (i mod 3)² = 100k · (7·0 + 7·1 + 6·4).
    const norm = globalNorm(grads);
    expect(norm.dataSync()[0]).toBeCloseTo(Math.sqrt(100_000 * 31), 2);
    expect(info.peakBytes - tf.memory().numBytes).toBeLessThanOrEqual(2 * 100_000 * 4);
    tf.dispose([norm, ...grads]);
  });

  it('classic Adam folds the decay into the gradient instead', () => {
    const w = named('w', [1], true);
    const opt = new AdamOptimizer([w], {
      kind: 'adam',
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      weightDecay: 0.1,
    });
    const g = { [w.variable.name]: tf.tensor1d([0]) };
    opt.apply(g, 0.01);
    // g + wd·p = 0.1 > 0, so the first Adam step moves by exactly lr.
    expect(w.variable.dataSync()[0]).toBeCloseTo(0.99, 6);
    tf.dispose(Object.values(g));
    opt.dispose();
  });

  it('saves and restores its moments', () => {
    const w = named('w', [1, 2, 3], true);
    const opt = new AdamOptimizer([w], {
      kind: 'adamw',
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      weightDecay: 0,
    });
    const g = { [w.variable.name]: tf.tensor1d([1, 2, 3]) };
    opt.apply(g, 0.1);
    const state = opt.getState();
    const other = new AdamOptimizer([w], opt.options);
    other.setState(state);
    expect(other.step).toBe(1);
    expect(Array.from(other.getState().moments.get('w')?.m ?? [])).toEqual(
      Array.from(state.moments.get('w')?.m ?? []),
    );
    tf.dispose(Object.values(g));
    opt.dispose();
    other.dispose();
  });
});

describe('warmupCosine', () => {
  const o = { lr: 1, warmupSteps: 10, totalSteps: 110, minLr: 0.1 };
  it('warms up linearly, peaks, then decays to minLr along a cosine', () => {
    expect(warmupCosine(o, 0)).toBeCloseTo(0.1);
    expect(warmupCosine(o, 9)).toBeCloseTo(1);
    expect(warmupCosine(o, 10)).toBeCloseTo(1);
    expect(warmupCosine(o, 60)).toBeCloseTo(0.55);
    expect(warmupCosine(o, 110)).toBeCloseTo(0.1);
  });
});
