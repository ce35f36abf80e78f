import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, create, Rng } from '@clapjs/core';
import type { Projection } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import './register.js';
import { ProjectionInputError } from './index.js';
import { TEST_BACKENDS, useTestBackend } from '@clapjs/test-backends';
import { expectClose } from '@clapjs/config/expect-close';

const build = (config: Record<string, unknown>, inputDim = 3, where = 'audioProjection') =>
  create('projection', config as { name: string }, { inputDim, rng: new Rng(21) }, where);

/** Element-wise absolute tolerance (the shared check of @clapjs/config). */
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) =>
  expectClose(a, b, 'values', { relative: 0, absolute: tol });

/** Sets each weight (by path) to the given values. */
function setWeights(p: Projection, values: Record<string, number[]>): void {
  for (const v of p.variables()) {
    const given = values[v.path];
    if (given !== undefined) v.variable.assign(tf.tensor(given, v.variable.shape));
  }
}

/** Exact erf-GELU values (PyTorch nn.GELU) at the few points the hand cases use. */
const geluOf = (x: number) => {
  const known: Record<number, number> = {
    1: 0.8413447461,
    2: 1.9544997361,
    [-1]: -0.1586552539,
    [-2]: -0.0455002639,
  };
  return known[x] as number;
};

const EYE3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

describe.each(TEST_BACKENDS)('projections on %s', (backend) => {
  it('linear: x · kernel + bias, paths fc/kernel and fc/bias', async () => {
    await useTestBackend(backend);
    const p = build({ name: 'linear', dim: 2 });
    expect(p.variables().map((v) => [v.path, v.variable.shape, v.decay])).toEqual([
      ['fc/kernel', [3, 2], true],
      ['fc/bias', [2], false],
    ]);
    setWeights(p, { 'fc/kernel': [1, 2, 3, 4, 5, 6], 'fc/bias': [1, -1] });
    const y = p.call(
      tf.tensor2d([
        [1, 1, 1],
        [1, 0, -1],
      ]),
      { training: false },
    );
    expect(y.shape).toEqual([2, 2]);
    close(await y.data(), [10, 11, -3, -5]);
    p.dispose();
  });

  it.each([
    ['relu', [2 * 1 + 3 * 0]],
    ['gelu', [2 * geluOf(1) + 3 * geluOf(-2)]],
  ])('mlp (%s): fc1 → activation → fc2', async (activation, expected) => {
    await useTestBackend(backend);
    const p = build({ name: 'mlp', dim: 1, hidden: 2, activation }, 2);
    expect(p.variables().map((v) => v.path)).toEqual([
      'fc1/kernel',
      'fc1/bias',
      'fc2/kernel',
      'fc2/bias',
    ]);
    setWeights(p, {
      'fc1/kernel': [1, 0, 0, 1],
      'fc1/bias': [0, 0],
      'fc2/kernel': [2, 3],
      'fc2/bias': [0],
    });
    close(await p.call(tf.tensor2d([[1, -2]]), { training: false }).data(), expected);
    p.dispose();
  });

  it('residual: layerNorm(fc1(x) + fc2(gelu(fc1(x)))), msclap layout without biases', async () => {
    await useTestBackend(backend);
    const p = build({ name: 'residual', dim: 3 });
    expect(p.variables().map((v) => v.path)).toEqual([
      'fc1/kernel',
      'fc2/kernel',
      'norm/gamma',
      'norm/beta',
    ]);
    setWeights(p, {
      'fc1/kernel': EYE3,
      'fc2/kernel': EYE3,
      'norm/gamma': [1, 2, 1],
      'norm/beta': [0, 0, 1],
    });
    const x = [1, 2, -1];
    const e = x.map((v) => v + geluOf(v));
    const mean = e.reduce((a, b) => a + b) / 3;
    const variance = e.reduce((a, b) => a + (b - mean) ** 2, 0) / 3;
    const expected = e.map(
      (v, i) => ((v - mean) / Math.sqrt(variance + 1e-5)) * [1, 2, 1][i]! + [0, 0, 1][i]!,
    );
    close(await p.call(tf.tensor2d([x]), { training: false }).data(), expected, 1e-4);
    p.dispose();
  });

  it('residual: dropout acts only when training, and is seeded', async () => {
    await useTestBackend(backend);
    const x = tf.tensor2d(new Rng(1).normalArray(4 * 3), [4, 3]);
    const outputs = async (training: boolean) => {
      const p = build({ name: 'residual', dim: 16, dropout: 0.5 });
      const y = Array.from(await p.call(x, { training }).data());
      p.dispose();
      return y;
    };
    expect(await outputs(false)).toEqual(await outputs(false));
    expect(await outputs(true)).toEqual(await outputs(true));
    expect(await outputs(true)).not.toEqual(await outputs(false));
  });

  it.each([
    { name: 'linear', dim: 4, dropout: 0.1 },
    { name: 'mlp', dim: 4, hidden: 8, activation: 'gelu', dropout: 0.1 },
    { name: 'residual', dim: 4 },
  ])(
    '$name: every trainable variable gets a gradient; 20 training steps leak nothing',
    async (config) => {
      await useTestBackend(backend);
      const p = build(config, 6);
      const x = tf.tensor2d(new Rng(2).normalArray(5 * 6), [5, 6]);
      const target = tf.tensor2d(new Rng(3).normalArray(5 * 4), [5, 4]);
      const trainable = p
        .variables()
        .filter((v) => v.trainable)
        .map((v) => v.variable);
      const step = () =>
        tf.tidy(() => {
          const { value, grads } = tf.variableGrads(
            () => tf.mean<tf.Scalar>(tf.square(tf.sub(p.call(x, { training: true }), target))),
            trainable,
          );
          for (const v of trainable) v.assign(tf.sub(v, tf.mul(grads[v.name] as tf.Tensor, 0.05)));
          return [value, grads] as const;
        });
      const [first, grads] = step();
      for (const v of trainable) {
        expect(
          Math.max(...(await tf.abs(grads[v.name] as tf.Tensor).data())),
          v.name,
        ).toBeGreaterThan(0);
      }
      tf.dispose([first, ...Object.values(grads)]);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 20; i++) {
        const [value, g] = step();
        tf.dispose([value, ...Object.values(g)]);
      }
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, target]);
      p.dispose();
    },
  );

  it('refuses features of the wrong width with a ProjectionInputError', async () => {
    await useTestBackend(backend);
    const p = build({ name: 'linear', dim: 2 });
    expect(() => p.call(tf.zeros<tf.Rank.R2>([2, 5]), { training: false })).toThrow(
      ProjectionInputError,
    );
    expect(() => p.call(tf.zeros<tf.Rank.R2>([2, 5]), { training: false })).toThrow(
      /\[batch, 3\].*\[2, 5\]/,
    );
    p.dispose();
  });
});

describe('projection configs', () => {
  it.each([
    [{ name: 'linear', dim: -4 }, 'audioProjection.dim'],
    [{ name: 'linear' }, 'audioProjection.dim'],
    [{ name: 'linear', dim: 2.5 }, 'audioProjection.dim'],
    [{ name: 'mlp', dim: 4, hidden: 0 }, 'audioProjection.hidden'],
    [{ name: 'mlp', dim: 4, activation: 'tanh' }, 'audioProjection.activation'],
    [{ name: 'residual', dim: 4, dropout: 1 }, 'audioProjection.dropout'],
    [{ name: 'residual', dim: 4, bias: 1 }, 'audioProjection.bias'],
    [{ name: 'linear', dim: 4, width: 2 }, 'audioProjection'],
  ])('%o is a ConfigError at %s', (config, path) => {
    let error: unknown;
    try {
      build(config);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).path).toBe(path);
  });

  it('refuses a non-positive inputDim from the builder', () => {
    expect(() => build({ name: 'linear', dim: 4 }, 0)).toThrow(/inputDim/);
  });

  it('fills defaults into getConfig, so a saved config rebuilds the same head', () => {
    expect(build({ name: 'mlp', dim: 4 }).getConfig()).toEqual({
      name: 'mlp',
      dim: 4,
      hidden: 4,
      activation: 'relu',
      dropout: 0,
      bias: true,
    });
    expect(build({ name: 'residual', dim: 4 }).getConfig()).toEqual({
      name: 'residual',
      dim: 4,
      dropout: 0.5,
      bias: false,
    });
  });
});
