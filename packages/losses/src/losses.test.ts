import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@clapjs/core';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { infoNCE, LossInputError, sigLipLoss, symmetricClapLoss } from './index.js';
import { TEST_BACKENDS, useTestBackend } from '@clapjs/test-backends';
import { expectClose } from '@clapjs/config/expect-close';

type LossFn = (c: tf.Tensor2D) => tf.Scalar;
const LOSSES: Record<string, LossFn> = {
  'symmetric-clap': symmetricClapLoss,
  'infonce-text-to-audio': (c) => infoNCE(c, 'text-to-audio'),
  'infonce-audio-to-text': (c) => infoNCE(c, 'audio-to-text'),
  siglip: sigLipLoss,
};

interface Fixture {
  name: string;
  n: number;
  logits: number[];
  losses: Record<string, number>;
  grads: Record<string, number[]>;
}
const fixtures = (
  JSON.parse(readFileSync(new URL('../fixtures/torch-losses.json', import.meta.url), 'utf8')) as {
    cases: Fixture[];
  }
).cases;

const { log } = Math;
// C = [[ln3, ln3, 0], [0, 0, 0], [0, 0, 0]]: a non-symmetric matrix whose row and column losses differ.
const skew = () => tf.tensor2d([log(3), log(3), 0, 0, 0, 0, 0, 0, 0], [3, 3]);

async function value(s: tf.Scalar): Promise<number> {
  const v = (await s.data())[0] as number;
  s.dispose();
  return v;
}

/** |a − b| ≤ tol · max(1, |b|): absolute for O(1) values, relative for large ones. */
/** max |a − b| ≤ tol · (max |b| + 1) (the shared check of @clapjs/config). */
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) =>
  expectClose(a, b, 'values', { relative: tol, absolute: tol });

describe.each(TEST_BACKENDS)('losses on %s', (backend) => {
  it('hand-worked 3×3: C = ln2·I gives ln 2 for every cross-entropy, 3·ln2 + … for SigLIP', async () => {
    await useTestBackend(backend);
    const c = tf.mul<tf.Tensor2D>(tf.eye(3), log(2));
    // Each row/column softmax is [2, 1, 1] / 4, so the diagonal has probability ½.
    expect(await value(symmetricClapLoss(c))).toBeCloseTo(log(2), 6);
    expect(await value(infoNCE(c, 'text-to-audio'))).toBeCloseTo(log(2), 6);
    expect(await value(infoNCE(c, 'audio-to-text'))).toBeCloseTo(log(2), 6);
    // SigLIP: 6 off-diagonal softplus(0) = ln2, 3 diagonal softplus(−ln2) = ln(3/2); / 3.
    expect(await value(sigLipLoss(c))).toBeCloseTo((6 * log(2) + 3 * log(1.5)) / 3, 6);
    c.dispose();
  });

  it('hand-worked non-symmetric 3×3: rows give ln21/3, columns ln25/3, symmetric their mean', async () => {
    await useTestBackend(backend);
    const c = skew();
    // Rows: [3,3,1] → ln7 − ln3, then ln3 twice. Columns: [3,1,1] → ln5 − ln3, [3,1,1] → ln5, [1,1,1] → ln3.
    const rows = await value(infoNCE(c, 'text-to-audio'));
    const cols = await value(infoNCE(c, 'audio-to-text'));
    expect(rows).toBeCloseTo(log(21) / 3, 6);
    expect(cols).toBeCloseTo(log(25) / 3, 6);
    expect(rows).not.toBeCloseTo(cols, 3);
    expect(await value(symmetricClapLoss(c))).toBeCloseTo(log(525) / 6, 6);
    // SigLIP: softplus(ln3) = ln4 twice, softplus(0) = ln2 seven times, minus trace ln3; / 3.
    expect(await value(sigLipLoss(c))).toBeCloseTo((11 * log(2) - log(3)) / 3, 6);
    c.dispose();
  });

  it('a batch of one: cross-entropies are exactly 0, SigLIP is softplus(−c), never NaN', async () => {
    await useTestBackend(backend);
    const c = tf.tensor2d([[37.5]]);
    expect(await value(symmetricClapLoss(c))).toBe(0);
    expect(await value(infoNCE(c, 'text-to-audio'))).toBe(0);
    expect(await value(infoNCE(c, 'audio-to-text'))).toBe(0);
    expect(await value(sigLipLoss(c))).toBeCloseTo(log1pExp(-37.5), 12);
    const g = tf.grad((x: tf.Tensor) => symmetricClapLoss(x as tf.Tensor2D))(c);
    // Zero up to float32 rounding of exp(0) on the fast wasm path.
    expect(Math.abs((await g.data())[0] as number)).toBeLessThan(1e-6);
    tf.dispose([c, g]);
  });

  it.each(Object.keys(LOSSES))(
    '%s matches PyTorch (value and gradient) on every fixture',
    async (key) => {
      await useTestBackend(backend);
      const fn = LOSSES[key] as LossFn;
      for (const f of fixtures) {
        const c = tf.tensor2d(f.logits, [f.n, f.n]);
        const { value: loss, grad } = tf.valueAndGrad((x: tf.Tensor) => fn(x as tf.Tensor2D))(c);
        close([await value(loss)], [f.losses[key] as number], 1e-5);
        // Outside a gradient scope a value-only path runs (no gradient matrix): same number.
        close([await value(fn(c))], [f.losses[key] as number], 1e-5);
        close(await grad.data(), f.grads[key] as number[], 1e-5);
        tf.dispose([c, grad]);
      }
    },
  );

  it.each(Object.keys(LOSSES))(
    '%s gradient agrees with central finite differences',
    async (key) => {
      await useTestBackend(backend);
      const fn = LOSSES[key] as LossFn;
      const n = 4;
      const values = new Rng(3).normalArray(n * n, 0, 2);
      const c = tf.tensor2d(values, [n, n]);
      const grad = tf.grad((x: tf.Tensor) => fn(x as tf.Tensor2D))(c);
      const analytic = await grad.data();
      const eps = 1e-2;
      for (let i = 0; i < n * n; i++) {
        const at = async (delta: number) => {
          const shifted = Float32Array.from(values);
          shifted[i] = (shifted[i] as number) + delta;
          const x = tf.tensor2d(shifted, [n, n]);
          const v = await value(fn(x));
          x.dispose();
          return v;
        };
        const numeric = ((await at(eps)) - (await at(-eps))) / (2 * eps);
        expect(Math.abs((analytic[i] as number) - numeric), `cell ${i}`).toBeLessThan(2e-3);
      }
      tf.dispose([c, grad]);
    },
  );

  // N = 4,096 on wasm; the pure-JS cpu backend takes minutes there on a loaded CI machine, so it
  // checks the same property at N = 1,024.
  it('stays finite and exact at N = 4,096 (cpu: 1,024) with a logit scale of 100', async () => {
    await useTestBackend(backend);
    const n = backend.startsWith('wasm') ? 4096 : 1024;
    const rng = new Rng(7);
    // Logits in [−100, 100], the largest a clamped CLAP logit scale allows: exp() overflows float32.
    const data = rng.uniformArray(n * n, -100, 100);
    const c = tf.tensor2d(data, [n, n]);
    const { value: loss, grad } = tf.valueAndGrad((x: tf.Tensor) =>
      symmetricClapLoss(x as tf.Tensor2D),
    )(c);
    let rows = 0;
    let cols = 0;
    for (let i = 0; i < n; i++) {
      let rmax = -Infinity;
      let cmax = -Infinity;
      for (let j = 0; j < n; j++) {
        rmax = Math.max(rmax, data[i * n + j] as number);
        cmax = Math.max(cmax, data[j * n + i] as number);
      }
      let rs = 0;
      let cs = 0;
      for (let j = 0; j < n; j++) {
        rs += Math.exp((data[i * n + j] as number) - rmax);
        cs += Math.exp((data[j * n + i] as number) - cmax);
      }
      const d = data[i * n + i] as number;
      rows += rmax + log(rs) - d;
      cols += cmax + log(cs) - d;
    }
    close([await value(loss)], [(rows + cols) / (2 * n)], 1e-5);
    const g = await grad.data();
    expect(g.every(Number.isFinite)).toBe(true);
    tf.dispose([c, grad]);
  });

  it('SigLIP sums N² small terms without float32 drift (N = 2,048, cpu: 1,024; SigLIP-init logits)', async () => {
    await useTestBackend(backend);
    const n = backend.startsWith('wasm') ? 2048 : 1024;
    // exp(s)·cos + b with s = log 10, b = −10: logits in [−20, 0], most softplus terms tiny.
    const data = new Rng(8).uniformArray(n * n, -20, 0);
    let sum = 0;
    for (let i = 0; i < n * n; i++) sum += log1pExp(data[i] as number);
    for (let i = 0; i < n; i++) sum -= data[i * n + i] as number;
    const c = tf.tensor2d(data, [n, n]);
    close([await value(sigLipLoss(c))], [sum / n], 1e-5);
    c.dispose();
  });

  it('loss + gradient in a loop leaks no tensors', async () => {
    await useTestBackend(backend);
    const c = tf.variable(tf.tensor2d(new Rng(5).normalArray(64), [8, 8]));
    const step = () =>
      tf.tidy(() => {
        for (const fn of Object.values(LOSSES)) {
          const grads = tf.variableGrads(() => fn(c), [c]);
          c.assign(tf.sub(c, tf.mul(grads.grads[c.name] as tf.Tensor, 0.1)));
        }
      });
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    c.dispose();
  });

  it('refuses a non-square, empty or non-float logits matrix with a LossInputError', async () => {
    await useTestBackend(backend);
    const bad = [tf.zeros([2, 3]), tf.zeros([0, 0]), tf.zeros([2, 2], 'int32')] as tf.Tensor2D[];
    for (const c of bad) {
      for (const fn of Object.values(LOSSES)) {
        expect(() => fn(c)).toThrow(LossInputError);
      }
    }
    expect(() => symmetricClapLoss(bad[0] as tf.Tensor2D)).toThrow(
      /square matrix \[N, N\].*\[2, 3\]/,
    );
    tf.dispose(bad);
  });
});

function log1pExp(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}
