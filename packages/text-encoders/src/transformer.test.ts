import * as tf from '@tensorflow/tfjs-core';
import {
  ClapError,
  ConfigError,
  Rng,
  create,
  type TextEncoder,
  type TokenBatch,
} from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import './register.js';
import { TEST_BACKENDS, useTestBackend } from '@clapjs/test-backends';

const vocabSize = 11;
const maxLength = 6;
const tiny = { layers: 2, width: 8, heads: 2, ffn: 12, dropout: 0.1 };

function encoder(config: Record<string, unknown>, seed = 1): TextEncoder {
  return create(
    'text-encoder',
    { name: 'transformer', ...tiny, ...config },
    { vocabSize, maxLength, rng: new Rng(seed) },
    'textEncoder',
  );
}

/** Two texts: one of 4 tokens, one of 2, padded to maxLength with a chosen pad id. */
function batch(padId = 0): TokenBatch {
  return {
    ids: tf.tensor2d(
      [
        [2, 5, 7, 9, padId, padId],
        [2, 3, padId, padId, padId, padId],
      ],
      [2, maxLength],
      'int32',
    ),
    mask: tf.tensor2d(
      [
        [1, 1, 1, 1, 0, 0],
        [1, 1, 0, 0, 0, 0],
      ],
      [2, maxLength],
    ),
  };
}

const variants = [
  { norm: 'pre', pooling: 'cls' },
  { norm: 'pre', pooling: 'mean' },
  { norm: 'post', pooling: 'cls' },
  { norm: 'post', pooling: 'mean', tokenTypes: 2 },
] as const;

function errorOf(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('transformer text encoder', () => {
  it.each(variants)('gives [batch, width] for %j and ignores padded tokens', async (variant) => {
    await useTestBackend('cpu');
    const model = encoder(variant);
    expect(model.outputDim).toBe(8);
    const a = batch(0);
    const b = batch(10); // different ids at every padded position
    const ya = model.encode(a, { training: false });
    const yb = model.encode(b, { training: false });
    expect(ya.shape).toEqual([2, 8]);
    const [va, vb] = [ya.dataSync(), yb.dataSync()];
    for (let i = 0; i < va.length; i++) expect(Math.abs(va[i]! - vb[i]!)).toBeLessThan(1e-5);
    expect(Array.from(va).every(Number.isFinite)).toBe(true);
    // A real token's id does change the output.
    const c = {
      ids: tf.tensor2d(
        [
          [2, 5, 7, 8, 0, 0],
          [2, 3, 0, 0, 0, 0],
        ],
        [2, maxLength],
        'int32',
      ),
      mask: a.mask,
    };
    const vc = model.encode(c, { training: false }).dataSync();
    expect(Math.max(...Array.from(va).map((v, i) => Math.abs(v - vc[i]!)))).toBeGreaterThan(1e-4);
    tf.dispose([ya, yb, a.ids, a.mask, b.ids, b.mask, c.ids]);
    model.dispose();
  });

  it('gives the same output on cpu and wasm, and for the same seed', async () => {
    await useTestBackend('cpu');
    const tokens = batch();
    const cpu = encoder({ norm: 'post' }, 7).encode(tokens, { training: false }).dataSync();
    await useTestBackend('wasm');
    const wasm = encoder({ norm: 'post' }, 7).encode(tokens, { training: false }).dataSync();
    for (let i = 0; i < cpu.length; i++) expect(Math.abs(cpu[i]! - wasm[i]!)).toBeLessThan(1e-4);
  });

  it.each(TEST_BACKENDS)('sends a gradient to every trainable weight on %s', async (backend) => {
    await useTestBackend(backend);
    for (const variant of [variants[0], variants[3]]) {
      const model = encoder(variant);
      const tokens = batch();
      const { grads } = tf.variableGrads(
        () => tf.sum(tf.square(model.encode(tokens, { training: true }))) as tf.Scalar,
      );
      for (const { path, variable } of model.variables()) {
        const grad = grads[variable.name];
        expect(grad, path).toBeDefined();
        expect(Array.from(grad!.dataSync()).every(Number.isFinite), path).toBe(true);
        // Padding rows of the word table and unused positions get none; everything else some.
        if (path !== 'embeddings/word' && path !== 'embeddings/position') {
          expect(tf.max(tf.abs(grad!)).dataSync()[0], path).toBeGreaterThan(0);
        }
      }
      const wordGrad =
        grads[model.variables().find((v) => v.path === 'embeddings/word')!.variable.name]!;
      const rows = tf.sum(tf.abs(wordGrad), 1).dataSync();
      expect(rows[5]).toBeGreaterThan(0); // a real token
      expect(rows[4]).toBe(0); // never used
      tf.dispose(Object.values(grads));
      model.dispose();
    }
  });

  it.each(TEST_BACKENDS)(
    'keeps tf.memory().numTensors constant over 20 training steps on %s',
    async (backend) => {
      await useTestBackend(backend);
      const model = encoder({ norm: 'post', pooling: 'mean' });
      const tokens = batch();
      const optimizer = tf.train.adam(1e-2);
      const trainable = model
        .variables()
        .filter((v) => v.trainable)
        .map((v) => v.variable);
      const step = () => {
        const loss = optimizer.minimize(
          () => tf.sum(tf.square(model.encode(tokens, { training: true }))) as tf.Scalar,
          true,
          trainable,
        );
        const value = loss!.dataSync()[0]!;
        loss!.dispose();
        return value;
      };
      const first = step(); // creates the optimizer's slots
      const count = tf.memory().numTensors;
      let last = first;
      for (let i = 0; i < 19; i++) last = step();
      expect(tf.memory().numTensors).toBe(count);
      expect(last).toBeLessThan(first);
      optimizer.dispose();
      model.dispose();
    },
  );

  it('applies dropout only when training', async () => {
    await useTestBackend('cpu');
    const model = encoder({ dropout: 0.5 });
    const tokens = batch();
    const a = model.encode(tokens, { training: false }).dataSync();
    const b = model.encode(tokens, { training: false }).dataSync();
    const c = model.encode(tokens, { training: true }).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('names the config key it refuses', async () => {
    await useTestBackend('cpu');
    const heads = errorOf(() => encoder({ width: 10, heads: 4 }));
    expect(heads).toBeInstanceOf(ConfigError);
    expect((heads as ConfigError).path).toBe('textEncoder.heads');
    expect((heads as Error).message).toMatch(/must divide width/);
    expect(errorOf(() => encoder({ width: -8 }))).toMatchObject({ path: 'textEncoder.width' });
    expect(errorOf(() => encoder({ layers: 0 }))).toMatchObject({ path: 'textEncoder.layers' });
    expect(errorOf(() => encoder({ norm: 'sandwich' }))).toMatchObject({
      path: 'textEncoder.norm',
    });
    expect(errorOf(() => encoder({ dropout: 1 }))).toMatchObject({ path: 'textEncoder.dropout' });
    expect(errorOf(() => encoder({ unknownKey: 1 }))).toBeInstanceOf(ConfigError);
    expect(errorOf(() => encoder({ maxLength: 4 }))).toMatchObject({
      path: 'textEncoder.maxLength',
    });
    const empty = errorOf(() =>
      create('text-encoder', { name: 'transformer' }, { vocabSize: 0, maxLength, rng: new Rng(1) }),
    );
    expect(empty).toMatchObject({ path: 'textEncoder.vocabSize' });
  });

  it('takes a batch of one, shorter than maxLength', async () => {
    await useTestBackend('wasm');
    const model = encoder({ pooling: 'mean' });
    const tokens = {
      ids: tf.tensor2d([[2, 5, 7]], [1, 3], 'int32'),
      mask: tf.tensor2d([[1, 1, 1]], [1, 3]),
    };
    const y = model.encode(tokens, { training: true });
    expect(y.shape).toEqual([1, 8]);
    expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
    model.dispose();
  });

  it('refuses a batch longer than its positions with a ClapError', async () => {
    await useTestBackend('cpu');
    const model = encoder({});
    const tokens = {
      ids: tf.zeros([1, 9], 'int32') as tf.Tensor2D,
      mask: tf.ones([1, 9]) as tf.Tensor2D,
    };
    expect(errorOf(() => model.encode(tokens, { training: false }))).toMatchObject({
      code: 'TOKENS_INVALID',
    });
    const mismatched = {
      ids: tf.zeros([1, 4], 'int32') as tf.Tensor2D,
      mask: tf.ones([1, 3]) as tf.Tensor2D,
    };
    expect(errorOf(() => model.encode(mismatched, { training: false }))).toBeInstanceOf(ClapError);
  });

  it('reports its resolved config, which rebuilds the same model', async () => {
    await useTestBackend('cpu');
    const model = encoder({ ffn: undefined });
    expect(model.getConfig()).toMatchObject({
      name: 'transformer',
      ffn: 32,
      maxLength,
      norm: 'pre',
      pooling: 'cls',
    });
    const again = create('text-encoder', model.getConfig(), {
      vocabSize,
      maxLength,
      rng: new Rng(1),
    });
    const tokens = batch();
    expect(Array.from(again.encode(tokens, { training: false }).dataSync())).toEqual(
      Array.from(model.encode(tokens, { training: false }).dataSync()),
    );
  });
});
