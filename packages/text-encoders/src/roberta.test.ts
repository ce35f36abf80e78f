import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, Rng, create } from '@clapjs/core';
import { useTestBackend } from '@clapjs/test-backends';
import { describe, expect, it } from 'vitest';
import './register.js';
import type { RobertaTextEncoder } from './roberta.js';

const tiny = { name: 'roberta', layers: 1, width: 8, heads: 2, ffn: 16, maxPositions: 10 };
const build = (maxLength: number, config: Record<string, unknown> = tiny, seed = 0) =>
  create('text-encoder', config as { name: string }, {
    vocabSize: 12,
    maxLength,
    rng: new Rng(seed),
  }) as RobertaTextEncoder;

describe('roberta', () => {
  it('takes maxPositions − padTokenId − 1 tokens and says so when the tokenizer gives more', async () => {
    await useTestBackend('cpu');
    const encoder = build(8);
    expect(encoder.maxTokens).toBe(8);
    expect(encoder.getConfig()).toMatchObject({
      padTokenId: 1,
      tokenTypes: 1,
      layerNormEpsilon: 1e-5,
    });
    encoder.dispose();
    expect(() => build(9)).toThrow(ConfigError);
    expect(() => build(9)).toThrow(/at most 8 tokens per text/);
    expect(() => build(4, { ...tiny, heads: 3 })).toThrow(/heads \(3\) must divide width \(8\)/);
  });

  it('padding never changes the pooled output; dropout is seeded and reseed moves it', async () => {
    await useTestBackend('cpu');
    const encoder = build(8);
    const short = {
      ids: tf.tensor2d([[0, 5, 6, 2]], undefined, 'int32'),
      mask: tf.tensor2d([[1, 1, 1, 1]]),
    };
    const padded = {
      ids: tf.tensor2d([[0, 5, 6, 2, 1, 1, 1, 1]], undefined, 'int32'),
      mask: tf.tensor2d([[1, 1, 1, 1, 0, 0, 0, 0]]),
    };
    const a = encoder.encode(short, { training: false });
    const b = encoder.encode(padded, { training: false });
    const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
    expect(diff).toBeLessThan(1e-5);
    const [x, y] = [build(8, { ...tiny, dropout: 0.5 }, 3), build(8, { ...tiny, dropout: 0.5 }, 3)];
    const run = (e: RobertaTextEncoder) =>
      tf.tidy(() => Array.from(e.encode(padded, { training: true }).dataSync()));
    expect(run(x)).toEqual(run(y));
    y.reseed('worker-1');
    expect(run(y)).not.toEqual(run(x));
    tf.dispose([a, b, short.ids, short.mask, padded.ids, padded.mask]);
    [encoder, x, y].forEach((e) => e.dispose());
  });
});
