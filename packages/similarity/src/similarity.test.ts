import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, create, Rng } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import './register.js';
import type { ScaledSimilarity } from './index.js';
import { CLIP_INIT_SCALE, MAX_SCALE, SimilarityInputError } from './index.js';
import { TEST_BACKENDS, useTestBackend } from '@clapjs/test-backends';
import { expectClose } from '@clapjs/config/expect-close';

const rng = () => new Rng(11);
const build = (config: Record<string, unknown>) =>
  create(
    'similarity',
    { name: 'cosine', ...config },
    { rng: rng() },
    'similarity',
  ) as ScaledSimilarity;

/** Element-wise absolute tolerance (the shared check of @clapjs/config). */
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) =>
  expectClose(a, b, 'values', { relative: 0, absolute: tol });

/**
 * A sigmoid loss with labels 2I − 1 (SigLIP's), written here to stay independent of
 * @clapjs/losses. Unlike a softmax cross-entropy it depends on the bias, so b gets a gradient.
 */
const sigmoidLoss = (c: tf.Tensor2D) =>
  tf.mean<tf.Scalar>(tf.softplus(tf.neg(tf.mul(c, tf.sub(tf.mul(tf.eye(c.shape[0]), 2), 1)))));

describe.each(TEST_BACKENDS)('similarity on %s', (backend) => {
  it('cosine: exp(s) · normalised T · normalised Aᵀ, rows = texts, + b with bias', async () => {
    await useTestBackend(backend);
    const text = tf.tensor2d([
      [3, 4],
      [2, 0],
    ]);
    const audio = tf.tensor2d([
      [5, 0],
      [0, 0.5],
      [1, 1],
    ]);
    const sim = build({ initScale: Math.log(2) });
    const c = sim.call(text, audio);
    expect(c.shape).toEqual([2, 3]);
    const r = Math.SQRT1_2;
    close(
      await c.data(),
      [0.6, 0.8, 1.4 * r, 1, 0, r].map((v) => 2 * v),
    );
    const biased = build({ initScale: Math.log(10), bias: true });
    const cb = biased.call(text, audio);
    close(
      await cb.data(),
      [0.6, 0.8, 1.4 * r, 1, 0, r].map((v) => 10 * v - 10),
      1e-4,
    );
    tf.dispose([text, audio, c, cb]);
    sim.dispose();
    biased.dispose();
  });

  it('dot: exp(s) · T · Aᵀ without normalising', async () => {
    await useTestBackend(backend);
    const sim = create('similarity', { name: 'dot', initScale: 0 }, { rng: rng() });
    const c = sim.call(
      tf.tensor2d([[1, 2]]),
      tf.tensor2d([
        [3, 4],
        [-1, 0],
      ]),
    );
    expect(c.shape).toEqual([1, 2]);
    close(await c.data(), [11, -1]);
    sim.dispose();
  });

  it('starts at log(1/0.07), clamps s to [0, maxScale] in afterUpdate', async () => {
    await useTestBackend(backend);
    const sim = build({});
    const s = sim.logScale;
    close(await s.data(), [CLIP_INIT_SCALE]);
    s.assign(tf.scalar(9));
    sim.afterUpdate();
    close(await s.data(), [MAX_SCALE]);
    s.assign(tf.scalar(-3));
    sim.afterUpdate();
    close(await s.data(), [0]);
    sim.dispose();
  });

  it('logitScale() is the factor exp(s) the logits are scaled by now, as a new scalar', async () => {
    await useTestBackend(backend);
    const sim = build({ initScale: Math.log(3) });
    const before = tf.memory().numTensors;
    const scale = sim.logitScale();
    close(await scale.data(), [3]);
    scale.dispose();
    expect(tf.memory().numTensors).toBe(before);
    sim.logScale.assign(tf.scalar(Math.log(5)));
    const after = sim.logitScale();
    close(await after.data(), [5], 1e-4);
    after.dispose();
    sim.dispose();
  });

  it('names its variables logit_scale and logit_bias, without decay', async () => {
    await useTestBackend(backend);
    const sim = build({ bias: true, learnScale: false });
    expect(sim.variables().map((v) => [v.path, v.trainable, v.decay])).toEqual([
      ['logit_scale', false, false],
      ['logit_bias', true, false],
    ]);
    expect(sim.getConfig()).toEqual({
      name: 'cosine',
      initScale: CLIP_INIT_SCALE,
      maxScale: MAX_SCALE,
      learnScale: false,
      bias: true,
      initBias: -10,
      logitScales: 'one',
    });
    sim.dispose();
  });

  it('two scales: per-direction reads logit_scale_t text → audio and logit_scale_a audio → text (HF); audio reads _a both ways (LAION)', async () => {
    await useTestBackend(backend);
    const text = tf.tensor2d([[3, 4]]);
    const audio = tf.tensor2d([
      [1, 0],
      [0, 2],
    ]);
    const hf = build({ logitScales: 'per-direction' });
    const laion = build({ logitScales: 'audio' });
    for (const sim of [hf, laion]) {
      sim.logScale.assign(tf.scalar(Math.log(30)));
      sim.textLogScale!.assign(tf.scalar(Math.log(2)));
    }
    const cosines = [0.6, 0.8];
    const read = async (sim: ScaledSimilarity, direction?: 'text-to-audio' | 'audio-to-text') => {
      const c = sim.call(text, audio, direction);
      const values = Array.from(await c.data());
      c.dispose();
      return values;
    };
    close(
      await read(hf),
      cosines.map((v) => 2 * v),
      1e-4,
    );
    close(
      await read(hf, 'audio-to-text'),
      cosines.map((v) => 30 * v),
      1e-4,
    );
    close(
      await read(laion, 'text-to-audio'),
      cosines.map((v) => 30 * v),
      1e-4,
    );
    close(
      await read(laion, 'audio-to-text'),
      cosines.map((v) => 30 * v),
      1e-4,
    );
    const scale = hf.logitScale('audio-to-text');
    close(await scale.data(), [30], 1e-4);
    scale.dispose();
    expect(hf.variables().map((v) => [v.path, v.trainable])).toEqual([
      ['logit_scale_a', true],
      ['logit_scale_t', true],
    ]);
    // LAION's _t is stored (round trips) but never used, so never trained.
    expect(laion.variables().map((v) => [v.path, v.trainable])).toEqual([
      ['logit_scale_a', true],
      ['logit_scale_t', false],
    ]);
    hf.logScale.assign(tf.scalar(9));
    hf.textLogScale!.assign(tf.scalar(-1));
    hf.afterUpdate();
    close(await hf.logScale.data(), [MAX_SCALE], 1e-6);
    close(await hf.textLogScale!.data(), [0], 1e-6);
    tf.dispose([text, audio]);
    hf.dispose();
    laion.dispose();
  });

  it.each(['cosine', 'dot'])(
    '%s: gradients reach s, b and both embeddings; 20 steps leak nothing',
    async (name) => {
      await useTestBackend(backend);
      const sim = create('similarity', { name, bias: true, initScale: 1 }, { rng: rng() });
      const r = new Rng(4);
      const text = tf.variable(tf.tensor2d(r.normalArray(12), [4, 3]));
      const audio = tf.variable(tf.tensor2d(r.normalArray(12), [4, 3]));
      const trainable = [
        ...sim
          .variables()
          .filter((v) => v.trainable)
          .map((v) => v.variable),
        text,
        audio,
      ];
      const step = () =>
        tf.tidy(() => {
          const { value, grads } = tf.variableGrads(
            () => sigmoidLoss(sim.call(text, audio)),
            trainable,
          );
          for (const v of trainable) v.assign(tf.sub(v, tf.mul(grads[v.name] as tf.Tensor, 0.1)));
          sim.afterUpdate();
          return [value, grads];
        });
      const [first, grads] = step() as [tf.Scalar, tf.NamedTensorMap];
      for (const v of trainable)
        expect(Math.max(...(await tf.abs(grads[v.name] as tf.Tensor).data()))).toBeGreaterThan(0);
      const firstLoss = (await first.data())[0] as number;
      tf.dispose([first, ...Object.values(grads)]);
      const before = tf.memory().numTensors;
      let last = Infinity;
      for (let i = 0; i < 20; i++) {
        const [value, g] = step() as [tf.Scalar, tf.NamedTensorMap];
        last = (await value.data())[0] as number;
        tf.dispose([value, ...Object.values(g)]);
      }
      expect(tf.memory().numTensors).toBe(before);
      expect(last).toBeLessThan(firstLoss);
      tf.dispose([text, audio]);
      sim.dispose();
    },
  );

  it('refuses embeddings of different widths with a SimilarityInputError', async () => {
    await useTestBackend(backend);
    const sim = build({});
    expect(() => sim.call(tf.zeros<tf.Rank.R2>([2, 3]), tf.zeros<tf.Rank.R2>([2, 4]))).toThrow(
      SimilarityInputError,
    );
    expect(() => sim.call(tf.zeros<tf.Rank.R2>([2, 3]), tf.zeros<tf.Rank.R2>([2, 4]))).toThrow(
      /same `dim`/,
    );
    sim.dispose();
  });
});

describe('similarity configs', () => {
  it.each([
    [{ initScale: -1 }, 'similarity.initScale'],
    [{ maxScale: -0.5 }, 'similarity.maxScale'],
    [{ initScale: 5 }, 'similarity.initScale'],
    [{ bias: 'yes' }, 'similarity.bias'],
    [{ temperature: 0.07 }, 'similarity'],
    [{ logitScales: 'two' }, 'similarity.logitScales'],
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
});
