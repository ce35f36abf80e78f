import { ConfigError, create } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import '../register.js';
import { fitWordVocabulary, splitWords } from './word.js';

const captions = ['A dog barks.', 'A dog barks loudly!', 'Rain on a tin roof', "The dog's bark"];

describe('word tokenizer', () => {
  it('splits lower-cased words from punctuation', () => {
    expect(splitWords("The Dog's bark, LOUD!")).toEqual([
      'the',
      'dog',
      "'",
      's',
      'bark',
      ',',
      'loud',
      '!',
    ]);
    expect(splitWords('')).toEqual([]);
  });

  it('puts the specials first and orders words by count, then alphabetically', () => {
    const vocab = fitWordVocabulary(captions, 1, 100);
    expect(vocab.slice(0, 7)).toEqual(['[PAD]', '[UNK]', '[CLS]', 'a', 'dog', 'barks', '!']);
    expect(fitWordVocabulary(captions, 2, 100)).toEqual([
      '[PAD]',
      '[UNK]',
      '[CLS]',
      'a',
      'dog',
      'barks',
    ]);
    expect(fitWordVocabulary(captions, 1, 5)).toEqual(['[PAD]', '[UNK]', '[CLS]', 'a', 'dog']);
  });

  it('encodes [CLS] words…, maps unknown words to [UNK], pads, truncates', () => {
    const tokenizer = create('tokenizer', { name: 'word', minCount: 2 }, { captions });
    expect(tokenizer.vocabSize).toBe(6);
    expect(tokenizer.encode('A dog meows.', 6)).toEqual({
      ids: [2, 3, 4, 1, 1, 0],
      mask: [1, 1, 1, 1, 1, 0],
    });
    expect(tokenizer.encode('dog '.repeat(1000), 3)).toEqual({ ids: [2, 4, 4], mask: [1, 1, 1] });
    expect(tokenizer.encode('', 3)).toEqual({ ids: [2, 0, 0], mask: [1, 0, 0] });
    expect(tokenizer.encode('dog', 1)).toEqual({ ids: [2], mask: [1] });
  });

  it('saves and restores exactly through JSON', () => {
    const tokenizer = create('tokenizer', { name: 'word' }, { captions });
    const state = JSON.parse(JSON.stringify(tokenizer.toJSON()));
    const restored = create('tokenizer', tokenizer.getConfig(), { state });
    expect(restored.vocabSize).toBe(tokenizer.vocabSize);
    expect(restored.toJSON()).toEqual(tokenizer.toJSON());
    for (const text of [...captions, 'an unseen caption', ''])
      expect(restored.encode(text, 8)).toEqual(tokenizer.encode(text, 8));
    // The state wins over captions: a restored tokenizer never refits.
    const again = create('tokenizer', tokenizer.getConfig(), {
      state,
      captions: ['totally different words'],
    });
    expect(again.toJSON()).toEqual(tokenizer.toJSON());
  });

  it('asks for captions when it has neither captions nor state', () => {
    const error = (() => {
      try {
        create('tokenizer', { name: 'word' }, {});
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).path).toBe('tokenizer.captions');
    expect((error as Error).message).toMatch(/pass them/i);
  });

  it('refuses an empty vocabulary, naming the key to change', () => {
    expect(() => create('tokenizer', { name: 'word' }, { captions: ['', '  '] })).toThrow(
      expect.objectContaining({ path: 'tokenizer.captions' }),
    );
    expect(() => create('tokenizer', { name: 'word', minCount: 50 }, { captions })).toThrow(
      expect.objectContaining({ path: 'tokenizer.minCount' }),
    );
    expect(() =>
      create('tokenizer', { name: 'word', maxVocab: 2 }, { captions }, 'tokenizer'),
    ).toThrow(expect.objectContaining({ path: 'tokenizer.maxVocab' }));
    expect(() => create('tokenizer', { name: 'word' }, { state: { vocab: ['a', 'b'] } })).toThrow(
      ConfigError,
    );
  });
});
