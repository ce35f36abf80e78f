import { ConfigError, create } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import '../register.js';
import { BERT_VOCAB_SIZE, bertVocabulary } from './bert-vocab.js';

const tokenizer = create('tokenizer', { name: 'bert-wordpiece' }, {});

describe('bert-wordpiece', () => {
  it("gives Hugging Face bert-base-uncased's ids", () => {
    // Reference ids: transformers' BertTokenizer.from_pretrained('bert-base-uncased')(text).input_ids
    const cases: [string, number[]][] = [
      ['hello world', [101, 7592, 2088, 102]],
      [
        'The quick brown fox jumps over the lazy dog.',
        [101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 1012, 102],
      ],
      ['Héllo, WORLD!!', [101, 7592, 1010, 2088, 999, 999, 102]],
    ];
    for (const [text, ids] of cases) expect(tokenizer.encode(text, ids.length).ids).toEqual(ids);
    expect(tokenizer.vocabSize).toBe(30_522);
    expect(tokenizer.padId).toBe(0);
  });

  it("spells its vocabulary as BERT's vocab.txt", () => {
    const vocab = bertVocabulary();
    expect(vocab).toHaveLength(BERT_VOCAB_SIZE);
    expect(new Set(vocab).size).toBe(BERT_VOCAB_SIZE);
    expect([vocab[0], vocab[1], vocab[100], vocab[101], vocab[102], vocab[103]]).toEqual([
      '[PAD]',
      '[unused0]',
      '[UNK]',
      '[CLS]',
      '[SEP]',
      '[MASK]',
    ]);
    expect([vocab[1037], vocab[2050], vocab[2075]]).toEqual(['a', '##a', '##ing']);
  });

  it('pads with [PAD] and masks the padding', () => {
    expect(tokenizer.encode('hello world', 6)).toEqual({
      ids: [101, 7592, 2088, 102, 0, 0],
      mask: [1, 1, 1, 1, 0, 0],
    });
  });

  it('truncates long texts and still ends them with [SEP]', () => {
    const long = 'hello world '.repeat(200);
    const { ids, mask } = tokenizer.encode(long, 8);
    expect(ids).toEqual([101, 7592, 2088, 7592, 2088, 7592, 2088, 102]);
    expect(mask).toEqual(new Array(8).fill(1));
    expect(tokenizer.encode(long, 2).ids).toEqual([101, 102]);
    expect(tokenizer.encode(long, 1).ids).toEqual([101]);
  });

  it('encodes the empty string as [CLS] [SEP]', () => {
    expect(tokenizer.encode('', 4)).toEqual({ ids: [101, 102, 0, 0], mask: [1, 1, 0, 0] });
    expect(tokenizer.encode('   ', 3).ids).toEqual([101, 102, 0]);
  });

  it('refuses a maxLength below 1 with a ConfigError', () => {
    expect(() => tokenizer.encode('x', 0)).toThrow(ConfigError);
  });

  it('rebuilds from its saved state and refuses a foreign one', () => {
    const state = JSON.parse(JSON.stringify(tokenizer.toJSON()));
    const again = create('tokenizer', { name: 'bert-wordpiece' }, { state });
    expect(again.encode('hello world', 5)).toEqual(tokenizer.encode('hello world', 5));
    expect(() =>
      create(
        'tokenizer',
        { name: 'bert-wordpiece' },
        { state: { name: 'word', vocab: ['[PAD]'] } },
      ),
    ).toThrow(/tokenizer it was saved with/);
  });
});
