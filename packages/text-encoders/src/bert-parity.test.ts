import * as tf from '@tensorflow/tfjs-core';
import { Rng, create } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import fixture from '../fixtures/bert-tiny.json' with { type: 'json' };
import './register.js';
import { bertNameMap } from './bert-names.js';
import { TEST_BACKENDS, useTestBackend } from '@clapjs/test-backends';

// fixtures/make-bert-fixture.py: a random tiny BERT in PyTorch with Hugging Face's BertModel names.
const { config: c, weights } = fixture as unknown as {
  config: {
    vocab: number;
    hidden: number;
    layers: number;
    heads: number;
    ffn: number;
    positions: number;
    types: number;
    eps: number;
  };
  weights: Record<string, { shape: number[]; data: number[] }>;
};

function loadBert(pooling: 'cls' | 'mean') {
  const config = {
    name: 'transformer',
    norm: 'post',
    pooling,
    layers: c.layers,
    width: c.hidden,
    heads: c.heads,
    ffn: c.ffn,
    maxLength: c.positions,
    tokenTypes: c.types,
    layerNormEpsilon: c.eps,
    dropout: 0.1,
  } as const;
  const encoder = create('text-encoder', config, {
    vocabSize: c.vocab,
    maxLength: fixture.ids[0]!.length,
    rng: new Rng(0),
  });
  const names = bertNameMap(config);
  for (const { path, variable } of encoder.variables()) {
    const { name, transpose } = names.get(path)!;
    const source = weights[name]!;
    tf.tidy(() => {
      const value = tf.tensor(source.data, source.shape);
      variable.assign(transpose ? tf.transpose(value) : value);
    });
  }
  return encoder;
}

describe.each(TEST_BACKENDS)('post-LN transformer with BERT weights on %s', (backend) => {
  it.each(['cls', 'mean'] as const)(
    'matches the PyTorch BertModel (%s pooling) to 1e-4',
    async (pooling) => {
      await useTestBackend(backend);
      const encoder = loadBert(pooling);
      const tokens = {
        ids: tf.tensor2d(fixture.ids, undefined, 'int32'),
        mask: tf.tensor2d(fixture.mask),
      };
      const got = encoder.encode(tokens, { training: false }).arraySync();
      const want = pooling === 'cls' ? fixture.cls : fixture.mean;
      const error = Math.max(...want.flat().map((v, i) => Math.abs(got.flat()[i]! - v)));
      expect(error).toBeLessThan(1e-4);
      tf.dispose([tokens.ids, tokens.mask]);
      encoder.dispose();
    },
  );
});
