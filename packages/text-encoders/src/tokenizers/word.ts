import { ConfigError, definePlugin, z, type EncodedText, type Tokenizer } from '@clapjs/core';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.js';
import { checkMaxLength, padOrTruncate } from './fixed-length.js';

const configSchema = z.strictObject({
  /** A word must occur this often in the training captions to get its own id. */
  minCount: z.number().int().positive().default(1),
  /** The largest vocabulary, the three special tokens included; the rarest words go first. */
  maxVocab: z.number().int().min(4).default(10_000),
  /** Token positions per text (including [CLS]); read by the model, not by encode. */
  maxLength: z.number().int().positive().default(32),
});

/** Config of the `word` tokenizer. */
export type WordTokenizerConfig = z.output<typeof configSchema> & { readonly name: string };

/** What `toJSON()` of a `word` tokenizer returns: its vocabulary, id = index. */
export interface WordTokenizerState {
  readonly name: 'word';
  readonly vocab: readonly string[];
}

/** The special tokens, at fixed ids. */
export const WORD_SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]'] as const;
const PAD = 0;
const UNK = 1;
const CLS = 2;

// Runs of letters, marks and digits are words; every other non-space character is its own
// token, so "dog's bark!" → dog ' s bark ! (BERT's punctuation split).
const WORD_PATTERN = /[\p{L}\p{M}\p{N}]+|[^\s\p{L}\p{M}\p{N}]/gu;

/** Lower-cases a text and splits it into words and single punctuation characters. */
export function splitWords(text: string): string[] {
  return text.toLowerCase().match(WORD_PATTERN) ?? [];
}

/**
 * Builds a vocabulary from captions: the special tokens, then the words seen at least
 * `minCount` times, most frequent first (ties alphabetical, so the result is deterministic),
 * cut to `maxVocab` entries in all.
 */
export function fitWordVocabulary(
  captions: readonly string[],
  minCount: number,
  maxVocab: number,
): string[] {
  const counts = new Map<string, number>();
  for (const caption of captions) {
    for (const word of splitWords(caption)) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const special = new Set<string>(WORD_SPECIAL_TOKENS);
  const words = [...counts]
    .filter(([word, count]) => count >= minCount && !special.has(word))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, maxVocab - WORD_SPECIAL_TOKENS.length)
    .map(([word]) => word);
  return [...WORD_SPECIAL_TOKENS, ...words];
}

/**
 * A word-level tokenizer fitted on the training captions: lower-case, punctuation split,
 * `[PAD]`=0, `[UNK]`=1, `[CLS]`=2, then the vocabulary. Each text becomes `[CLS] words…`,
 * unknown words map to `[UNK]`. Save it with {@link WordTokenizer.toJSON} and rebuild it from
 * that state (`create('tokenizer', config, { state })`).
 */
export class WordTokenizer implements Tokenizer<WordTokenizerConfig> {
  readonly name = 'word';
  readonly padId = PAD;
  private readonly config: WordTokenizerConfig;
  private readonly vocab: readonly string[];
  private readonly ids: ReadonlyMap<string, number>;

  constructor(config: WordTokenizerConfig, vocab: readonly string[]) {
    this.config = { ...config };
    this.vocab = [...vocab];
    this.ids = new Map(this.vocab.map((word, id) => [word, id]));
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  /** `[CLS]` and one id per word, truncated to `maxLength` and padded with `[PAD]`. */
  encode(text: string, maxLength: number): EncodedText {
    checkMaxLength(maxLength, this.name);
    const words = splitWords(text).slice(0, maxLength - 1);
    return padOrTruncate([CLS, ...words.map((w) => this.ids.get(w) ?? UNK)], maxLength, PAD);
  }

  /** Token strings by id. */
  vocabulary(): readonly string[] {
    return this.vocab;
  }

  getConfig(): WordTokenizerConfig {
    return { ...this.config };
  }

  toJSON(): WordTokenizerState {
    return { name: 'word', vocab: [...this.vocab] };
  }
}

function vocabFromState(state: unknown): string[] {
  const vocab = (state as Partial<WordTokenizerState> | null)?.vocab;
  const valid =
    Array.isArray(vocab) &&
    vocab.every((w) => typeof w === 'string') &&
    WORD_SPECIAL_TOKENS.every((token, id) => vocab[id] === token) &&
    new Set(vocab).size === vocab.length;
  if (!valid) {
    throw new ConfigError(
      'tokenizer.state',
      `The saved state given to the "word" tokenizer is not one it wrote: expected { vocab: string[] } starting ` +
        `with ${WORD_SPECIAL_TOKENS.join(', ')} and without duplicates. Load the tokenizer state saved with the model.`,
    );
  }
  return vocab as string[];
}

/** The `word` tokenizer plugin: fits on `context.captions`, or restores `context.state`. */
export const wordTokenizerPlugin = definePlugin({
  kind: 'tokenizer',
  name: 'word',
  version: PACKAGE_VERSION,
  coreVersion: '^0.1.0',
  origin: PACKAGE_NAME,
  configSchema,
  description: 'Word-level vocabulary fitted on the training captions ([PAD]=0, [UNK]=1, [CLS]=2)',
  create(config, context) {
    if (context.state !== undefined)
      return new WordTokenizer(config, vocabFromState(context.state));
    if (context.captions === undefined) {
      throw new ConfigError(
        'tokenizer.captions',
        'The "word" tokenizer fits its vocabulary on the training captions, and none were given. ' +
          'Pass them when creating the model (ClapModel.create(config, { seed, captions })) or the tokenizer ' +
          "(create('tokenizer', config, { captions })), or restore a saved one with { state }.",
      );
    }
    const vocab = fitWordVocabulary(context.captions, config.minCount, config.maxVocab);
    if (vocab.length === WORD_SPECIAL_TOKENS.length) {
      const anyWords = context.captions.some((caption) => splitWords(caption).length > 0);
      throw new ConfigError(
        anyWords ? 'tokenizer.minCount' : 'tokenizer.captions',
        anyWords
          ? `The "word" tokenizer found no word occurring at least minCount=${config.minCount} times in ` +
              `${context.captions.length} caption(s), so its vocabulary would be empty. Lower tokenizer.minCount.`
          : `The ${context.captions.length} caption(s) given to the "word" tokenizer contain no words, so its ` +
              'vocabulary would be empty. Pass the training captions (non-empty texts).',
      );
    }
    return new WordTokenizer(config, vocab);
  },
});
