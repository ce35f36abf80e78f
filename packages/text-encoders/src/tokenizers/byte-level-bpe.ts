import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { ConfigError, definePlugin, z, type EncodedText, type Tokenizer } from '@clapjs/core';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.js';
import { checkMaxLength, padOrTruncate } from './fixed-length.js';

const configSchema = z.strictObject({
  /** Token positions per text, `<s>` and `</s>` included (CLAP: 77); read by the model. */
  maxLength: z.int().positive().default(77),
  /** The begin-of-text token (RoBERTa's `<s>`, id 0). */
  bos: z.string().min(1).default('<s>'),
  /** The end-of-text token (RoBERTa's `</s>`, id 2). */
  eos: z.string().min(1).default('</s>'),
  /** The padding token (RoBERTa's `<pad>`, id 1; msclap 2023's GPT-2: `!`, id 0). */
  pad: z.string().min(1).default('<pad>'),
  /** Wrap the pieces in bos … eos (RoBERTa); false adds no special token (GPT-2 as msclap 2023 uses it). */
  wrap: z.boolean().default(true),
  /** Text appended to every caption before tokenizing (msclap 2023: ` <|endoftext|>`, a special token). */
  suffix: z.string().default(''),
});

/** Config of the `byte-level-bpe` tokenizer. */
export type ByteLevelBpeConfig = Omit<z.output<typeof configSchema>, 'wrap' | 'suffix'> &
  Partial<Pick<z.output<typeof configSchema>, 'wrap' | 'suffix'>> & { readonly name: string };

/** What `toJSON()` of a `byte-level-bpe` tokenizer returns (and its plugin takes as `state`). */
export interface ByteLevelBpeState {
  readonly name: 'byte-level-bpe';
  /** A Hugging Face `tokenizer.json` (its BPE vocabulary and merges, pre-tokenizer, added tokens). */
  readonly tokenizer: Record<string, unknown>;
}

/** Where a tokenizer's files come from; see {@link byteLevelBpeTokenizerJson}. */
export interface ByteLevelBpeFiles {
  /** The parsed `vocab.json` (GPT-2: `encoder.json`): token → id. */
  readonly vocab: Readonly<Record<string, number>>;
  /** The text of `merges.txt` (GPT-2: `vocab.bpe`), one merge per line after a `#version` line. */
  readonly merges: string;
}

const MISSING =
  'The byte-level-bpe tokenizer needs its vocabulary: a Hugging Face tokenizer.json, or vocab.json + merges.txt ' +
  '(an HF snapshot such as laion/clap-htsat-unfused keeps them at its root; LAION .pt checkpoints carry none, so pass ' +
  'the directory of an HF snapshot, e.g. `clapjs import --tokenizer DIR`).';

/**
 * A `tokenizer.json` for GPT-2/RoBERTa-style byte-level BPE from `vocab.json` + `merges.txt`, laid
 * out as Hugging Face's roberta-base one: ByteLevel pre-tokenizer (no prefix space, GPT-2's
 * regex), BPE over the merges, ByteLevel decoder, and every vocabulary entry of the form `<…>`
 * (`<s>`, `<pad>`, `</s>`, `<unk>`, `<mask>`) as a special added token.
 */
export function byteLevelBpeTokenizerJson(files: ByteLevelBpeFiles): Record<string, unknown> {
  const merges = files.merges
    .split('\n')
    .filter((line) => line.length > 0 && !line.startsWith('#version'))
    .map((line) => line.trimEnd());
  const special = Object.entries(files.vocab).filter(([token]) => /^<\/?[a-z|]+>$/.test(token));
  return {
    version: '1.0',
    added_tokens: special.map(([content, id]) => ({
      id,
      content,
      single_word: false,
      lstrip: content === '<mask>',
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: {
      type: 'ByteLevel',
      add_prefix_space: false,
      trim_offsets: true,
      use_regex: true,
    },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      vocab: files.vocab,
      merges,
    },
  };
}

/**
 * Byte-level BPE as RoBERTa (CLAP's text tower) tokenizes: GPT-2's byte-level pre-tokenizer and
 * merges, then `<s> pieces… </s>`, truncated to `maxLength` (the last piece kept is followed by
 * `</s>`, as `truncation=True`) and padded with `<pad>` to `maxLength` (LAION-CLAP's
 * `padding="max_length"`, 77). Runs through @huggingface/tokenizers.
 */
export class ByteLevelBpeTokenizer implements Tokenizer<ByteLevelBpeConfig> {
  readonly name = 'byte-level-bpe';
  readonly vocabSize: number;
  readonly padId: number;
  /** Ids of the begin and end tokens. */
  readonly bosId: number;
  readonly eosId: number;
  private readonly config: ByteLevelBpeConfig;
  private readonly json: Record<string, unknown>;
  private readonly tokenizer: HfTokenizer;

  /**
   * @param json a Hugging Face tokenizer.json (or {@link byteLevelBpeTokenizerJson}'s output)
   * @throws ConfigError when the vocabulary lacks the bos/eos/pad tokens
   */
  constructor(config: ByteLevelBpeConfig, json: Record<string, unknown>) {
    this.config = { ...config };
    this.json = json;
    try {
      this.tokenizer = new HfTokenizer(json, {});
    } catch (error) {
      // A damaged tokenizer.json (a saved model's tokenizer state is untrusted input).
      throw new ConfigError(
        'tokenizer.state',
        `The byte-level-bpe tokenizer.json is malformed: ${String(error instanceof Error ? error.message : error).slice(0, 200)}. Rebuild it from vocab.json + merges.txt (byteLevelBpeTokenizerJson) or save the model again.`,
        { cause: error },
      );
    }
    const id = (key: 'bos' | 'eos' | 'pad') => {
      const found = this.tokenizer.token_to_id(config[key]);
      if (found === undefined)
        throw new ConfigError(
          `tokenizer.${key}`,
          `The byte-level-bpe vocabulary has no ${key} token "${config[key]}". Set tokenizer.${key} to one of its special tokens (RoBERTa: <s>, </s>, <pad>).`,
        );
      return found;
    };
    this.bosId = id('bos');
    this.eosId = id('eos');
    this.padId = id('pad');
    this.vocabSize = vocabularySize(json);
  }

  /**
   * `<s> pieces… </s>` then padding; a long text keeps its first maxLength − 2 pieces. Without
   * `wrap`: the pieces of text + suffix, the first maxLength of them, then padding.
   */
  encode(text: string, maxLength: number): EncodedText {
    checkMaxLength(maxLength, this.name);
    const pieces = this.pieces(text + (this.config.suffix ?? ''));
    if (this.config.wrap === false) return padOrTruncate(pieces, maxLength, this.padId);
    return padOrTruncate(
      [this.bosId, ...pieces.slice(0, Math.max(0, maxLength - 2)), this.eosId],
      maxLength,
      this.padId,
    );
  }

  /** The BPE ids of a text, without special tokens. */
  pieces(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  /** Decodes ids back to text (special tokens skipped). */
  decode(ids: readonly number[]): string {
    return this.tokenizer.decode([...ids], { skip_special_tokens: true });
  }

  getConfig(): ByteLevelBpeConfig {
    return { ...this.config };
  }

  toJSON(): ByteLevelBpeState {
    return { name: 'byte-level-bpe', tokenizer: this.json };
  }
}

/**
 * The rows the text encoder's embedding needs: max id + 1, where every id (vocabulary and added
 * tokens) must be a non-negative integer below the number of distinct ids — dense, as every
 * GPT-2/RoBERTa vocabulary is (0 … 50,264 for RoBERTa). Anything else is a damaged file.
 * @throws ConfigError (`tokenizer.state`)
 */
function vocabularySize(json: Record<string, unknown>): number {
  const model = json['model'] as { vocab?: unknown } | undefined;
  const vocab =
    typeof model?.vocab === 'object' && model.vocab !== null ? Object.values(model.vocab) : [];
  const added = Array.isArray(json['added_tokens'])
    ? (json['added_tokens'] as { id?: unknown }[]).map((t) => t?.id)
    : [];
  const ids = [...vocab, ...added];
  const distinct = new Set(ids);
  if (
    ids.length === 0 ||
    !ids.every((i) => Number.isInteger(i) && (i as number) >= 0 && (i as number) < distinct.size)
  )
    throw new ConfigError(
      'tokenizer.state',
      'The byte-level-bpe vocabulary is damaged: its ids must be the integers 0 … size − 1. Rebuild it from vocab.json + merges.txt (byteLevelBpeTokenizerJson) or save the model again.',
    );
  return distinct.size;
}

function checkState(state: unknown): Record<string, unknown> {
  const tokenizer = (state as Partial<ByteLevelBpeState> | undefined)?.tokenizer;
  const model = (tokenizer as { model?: { type?: unknown } } | undefined)?.model;
  if (typeof tokenizer !== 'object' || tokenizer === null || model?.type !== 'BPE')
    throw new ConfigError(
      'tokenizer.state',
      `${MISSING} Got ${JSON.stringify(state)?.slice(0, 120) ?? 'nothing'}.`,
    );
  return tokenizer as Record<string, unknown>;
}

/**
 * The `byte-level-bpe` tokenizer plugin (RoBERTa / GPT-2 BPE). Its vocabulary comes in as
 * `state`: `{ tokenizer: <tokenizer.json> }` (build one from vocab.json + merges.txt with
 * {@link byteLevelBpeTokenizerJson}); a saved model carries it in its tokenizer state.
 */
export const byteLevelBpePlugin = definePlugin({
  kind: 'tokenizer',
  name: 'byte-level-bpe',
  version: PACKAGE_VERSION,
  coreVersion: '^0.1.0',
  origin: PACKAGE_NAME,
  configSchema,
  description:
    'Byte-level BPE (RoBERTa/GPT-2) from tokenizer.json or vocab.json + merges.txt, <s> … </s>, padded to 77',
  create: (config, context) => new ByteLevelBpeTokenizer(config, checkState(context.state)),
});
