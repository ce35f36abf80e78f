import * as tf from '@tensorflow/tfjs-core';
import { Rng, create } from '@clapjs/core';
import { TEST_BACKENDS, useTestBackend } from '@clapjs/test-backends';
import { describe, expect, it } from 'vitest';
import fixture from '../fixtures/roberta-tiny.json' with { type: 'json' };
import './register.js';
import { ROBERTA_UNUSED_KEYS, robertaNameMap } from './roberta-names.js';
import type { RobertaTextEncoder } from './roberta.js';

// fixtures/make-roberta-fixture.py: a random tiny RoBERTa in PyTorch under HF ClapModel's names.
const { config: c, weights } = fixture as unknown as {
  config: { vocabSize: number; layers: number } & Record<string, number>;
  weights: Record<string, { shape: number[]; data: number[] }>;
};

function maxRelativeError(got: number[], want: number[]): number {
  const scale = Math.max(...want.map(Math.abs));
  return Math.max(...want.map((v, i) => Math.abs(got[i]! - v))) / scale;
}

function loadRoberta(): RobertaTextEncoder {
  const { vocabSize, ...rest } = c;
  const encoder = create(
    'text-encoder',
    { name: 'roberta', ...rest, dropout: 0.1 },
    {
      vocabSize,
      maxLength: fixture.ids[0]!.length,
      rng: new Rng(0),
    },
  ) as RobertaTextEncoder;
  const names = robertaNameMap(c, 'text_model.');
  const used = new Set<string>();
  for (const { path, variable } of encoder.variables()) {
    const { name, transpose } = names.get(path)!;
    const source = weights[name]!;
    used.add(name);
    tf.tidy(() => {
      const value = tf.tensor(source.data, source.shape);
      variable.assign(transpose ? tf.transpose(value) : value);
    });
  }
  const left = Object.keys(weights).filter(
    (k) => !used.has(k) && !ROBERTA_UNUSED_KEYS.some((re) => re.test(k)),
  );
  expect(left).toEqual([]);
  return encoder;
}

describe.each(TEST_BACKENDS)('roberta with HF ClapTextModel weights on %s', (backend) => {
  it('matches PyTorch’s pooled output and hidden states (padding, a full row) to 1e-4 relative', async () => {
    await useTestBackend(backend);
    const encoder = loadRoberta();
    const tokens = {
      ids: tf.tensor2d(fixture.ids, undefined, 'int32'),
      mask: tf.tensor2d(fixture.mask),
    };
    const before = tf.memory().numTensors;
    const { hidden, pooled } = encoder.forward(tokens, { training: false });
    expect(maxRelativeError(pooled.arraySync().flat(), fixture.pooled.flat())).toBeLessThan(1e-4);
    expect(maxRelativeError(hidden.arraySync().flat(2), fixture.hidden.flat(2))).toBeLessThan(1e-4);
    tf.dispose([hidden, pooled]);
    tf.dispose(encoder.encode(tokens, { training: true }));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([tokens.ids, tokens.mask]);
    encoder.dispose();
  });
});

describe('roberta names', () => {
  it('LAION’s text_branch and HF’s text_model name the same tensors', () => {
    const hf = robertaNameMap({ layers: 12 }, 'text_model.');
    const laion = robertaNameMap({ layers: 12 }, 'text_branch.');
    expect(hf.size).toBe(12 * 16 + 5 + 2);
    expect(hf.get('layer0/attention/query/kernel')).toEqual({
      name: 'text_model.encoder.layer.0.attention.self.query.weight',
      transpose: true,
    });
    expect(laion.get('pooler/kernel')).toEqual({
      name: 'text_branch.pooler.dense.weight',
      transpose: true,
    });
    expect(laion.get('embeddings/word')!.name).toBe(
      'text_branch.embeddings.word_embeddings.weight',
    );
  });
});
