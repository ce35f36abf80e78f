import * as tf from '@tensorflow/tfjs-core';
import { Rng, create } from '@clapjs/core';
import { TEST_BACKENDS, useTestBackend } from '@clapjs/test-backends';
import { describe, expect, it } from 'vitest';
import fixture from '../fixtures/gpt2-tiny.json' with { type: 'json' };
import './register.js';
import { GPT2_UNUSED_KEYS, gpt2NameMap } from './gpt2-names.js';
import type { Gpt2TextEncoder } from './gpt2.js';

// fixtures/make-gpt2-fixture.py: a random tiny GPT-2 in PyTorch under GPT2Model's names, pooled
// as msclap 2023 pools it.
const { config: c, weights } = fixture as unknown as {
  config: { vocabSize: number; layers: number } & Record<string, number>;
  weights: Record<string, { shape: number[]; data: number[] }>;
};

function maxRelativeError(got: ArrayLike<number>, want: number[]): number {
  const scale = Math.max(...want.map(Math.abs));
  return Math.max(...want.map((v, i) => Math.abs(got[i]! - v))) / scale;
}

function loadGpt2(pooling?: 'mask'): Gpt2TextEncoder {
  const { vocabSize, ...rest } = c;
  const encoder = create(
    'text-encoder',
    { name: 'gpt2', ...rest, dropout: 0.1, ...(pooling ? { pooling } : {}) },
    { vocabSize, maxLength: fixture.ids[0]!.length, rng: new Rng(0) },
  ) as Gpt2TextEncoder;
  const names = gpt2NameMap(c);
  const used = new Set<string>();
  for (const { path, variable } of encoder.variables()) {
    const name = names.get(path)!;
    const source = weights[name]!;
    used.add(name);
    expect(variable.shape).toEqual(source.shape);
    tf.tidy(() => variable.assign(tf.tensor(source.data, source.shape)));
  }
  const left = Object.keys(weights).filter(
    (k) => !used.has(k) && !GPT2_UNUSED_KEYS.some((re) => re.test(k)),
  );
  expect(left).toEqual([]);
  return encoder;
}

function tokens() {
  return { ids: tf.tensor2d(fixture.ids, undefined, 'int32'), mask: tf.tensor2d(fixture.mask) };
}

describe.each(TEST_BACKENDS)('gpt2 with GPT2Model weights on %s', (backend) => {
  it('matches PyTorch’s hidden states and msclap’s pooled vector (padding, a pad id inside a text, a full row) to 1e-4 relative', async () => {
    await useTestBackend(backend);
    const encoder = loadGpt2();
    const batch = tokens();
    const before = tf.memory().numTensors;
    const hidden = encoder.hidden(batch, { training: false });
    const pooled = encoder.encode(batch, { training: false });
    const index = encoder.poolIndex(batch);
    expect(Array.from(await index.data())).toEqual(fixture.poolIndex);
    expect(maxRelativeError(await hidden.data(), fixture.hidden.flat(2))).toBeLessThan(1e-4);
    expect(maxRelativeError(await pooled.data(), fixture.pooled.flat())).toBeLessThan(1e-4);
    tf.dispose([hidden, pooled, index]);
    tf.dispose(encoder.encode(batch, { training: true }));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([batch.ids, batch.mask]);
    encoder.dispose();
  });
});

describe('gpt2 training and pooling', () => {
  it('one training step’s gradients match PyTorch’s (embeddings, c_attn, c_fc, norms) on wasm+pack', async () => {
    await useTestBackend('wasm+pack');
    const encoder = loadGpt2();
    const batch = tokens();
    const variables = new Map(encoder.variables().map((v) => [gpt2NameMap(c).get(v.path)!, v]));
    const names = Object.keys(fixture.gradients) as (keyof typeof fixture.gradients)[];
    const r = tf.tensor2d(fixture.lossWeights);
    // Dropout is 0.1 in this config: evaluate the step without it, as the fixture does.
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(encoder.encode(batch, { training: false }), r)),
      names.map((n) => variables.get(n)!.variable),
    );
    for (const name of names) {
      const got = await grads[variables.get(name)!.variable.name]!.data();
      expect(maxRelativeError(got, fixture.gradients[name]), name).toBeLessThan(1e-4);
    }
    tf.dispose([value, r, batch.ids, batch.mask, ...Object.values(grads)]);
    encoder.dispose();
  });

  it('`mask` pooling takes the last real token even where a text holds the pad id', async () => {
    await useTestBackend('cpu');
    const encoder = loadGpt2('mask');
    const batch = tokens();
    const index = encoder.poolIndex(batch);
    expect(Array.from(await index.data())).toEqual([4, 6, 11]);
    const hidden = encoder.hidden(batch, { training: false });
    const pooled = encoder.encode(batch, { training: false });
    const row1 = await tf.slice(hidden, [1, 6, 0], [1, 1, c['width']!]).data();
    expect(maxRelativeError(row1, Array.from((await pooled.array())[1]!))).toBe(0);
    tf.dispose([index, hidden, pooled, batch.ids, batch.mask]);
    encoder.dispose();
  });

  it('pad-count pooling of a text of pad ids only wraps to the last position, as PyTorch’s index −1', async () => {
    await useTestBackend('cpu');
    const encoder = loadGpt2();
    const batch = {
      ids: tf.tensor2d([[0, 0, 0]], undefined, 'int32'),
      mask: tf.tensor2d([[1, 1, 1]]),
    };
    const index = encoder.poolIndex(batch);
    expect(Array.from(await index.data())).toEqual([2]);
    tf.dispose([index, batch.ids, batch.mask]);
    encoder.dispose();
  });

  it('refuses more tokens than positions, naming the key to change', async () => {
    await useTestBackend('cpu');
    const { vocabSize, ...rest } = c;
    expect(() =>
      create(
        'text-encoder',
        { name: 'gpt2', ...rest },
        { vocabSize, maxLength: 77, rng: new Rng(0) },
      ),
    ).toThrow(/tokenizer\.maxLength/);
  });
});
