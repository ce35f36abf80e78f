import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, Rng, create, selectBackend } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import './register.js';
import { loadGloveEmbeddings } from './glove.js';
import type { TransformerTextEncoder } from './transformer.js';

const glove = ['dog 1 2 3 4', 'cat -1 0.5 0 2', 'dog 9 9 9 9', 'zebra 0 0 0 1', ''].join('\n');
const vocab = ['[PAD]', '[UNK]', '[CLS]', 'dog', 'cat', 'barks'];

describe('GloVe initialisation', () => {
  it('picks the vectors of known words, truncating or zero-padding to dim', () => {
    const three = loadGloveEmbeddings(glove, vocab, 3);
    expect(three.foundCount).toBe(2);
    expect(three.sourceDim).toBe(4);
    expect(Array.from(three.found)).toEqual([0, 0, 0, 1, 1, 0]);
    expect(Array.from(three.vectors.slice(9, 15))).toEqual([1, 2, 3, -1, 0.5, 0]);
    const six = loadGloveEmbeddings(`2 4\n${glove}`, vocab, 6);
    expect(Array.from(six.vectors.slice(18, 24))).toEqual([1, 2, 3, 4, 0, 0]);
  });

  it('refuses a ragged file, naming the line', () => {
    expect(() => loadGloveEmbeddings('dog 1 2\ncat 1 2 3', vocab, 2)).toThrow(/line 2 \("cat"\)/);
    expect(() => loadGloveEmbeddings(glove, vocab, 0)).toThrow(ConfigError);
  });

  it('replaces only the found rows of an encoder, at the scale of the random rows', async () => {
    await selectBackend('cpu');
    const encoder = create(
      'text-encoder',
      { name: 'transformer', layers: 1, width: 4, heads: 2 },
      { vocabSize: vocab.length, maxLength: 4, rng: new Rng(1) },
    ) as TransformerTextEncoder;
    const table = encoder.variables().find((v) => v.path === 'embeddings/word')!.variable;
    const before = Array.from(table.dataSync());
    const tensors = tf.memory().numTensors;
    expect(encoder.initWordEmbeddings(loadGloveEmbeddings(glove, vocab, 4))).toBe(2);
    expect(tf.memory().numTensors).toBe(tensors);
    const after = Array.from(table.dataSync());
    expect(after.slice(0, 12)).toEqual(before.slice(0, 12));
    expect(after.slice(20)).toEqual(before.slice(20));
    const dog = after.slice(12, 16);
    const cat = after.slice(16, 20);
    const scale = dog[0]! / 1;
    for (const [got, want] of [
      ...dog.map((v, i) => [v, [1, 2, 3, 4][i]! * scale]),
      ...cat.map((v, i) => [v, [-1, 0.5, 0, 2][i]! * scale]),
    ]) {
      expect(got).toBeCloseTo(want!, 5);
    }
    expect(scale).toBeGreaterThan(0);
    expect(scale).toBeLessThan(0.1); // brought down to the 0.02-std initial scale
    expect(() => encoder.initWordEmbeddings(loadGloveEmbeddings(glove, vocab, 3))).toThrow(
      ConfigError,
    );
    encoder.dispose();
  });
});
