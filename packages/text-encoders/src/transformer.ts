import * as tf from '@tensorflow/tfjs-core';
import {
  ConfigError,
  definePlugin,
  z,
  type CallOptions,
  type NamedVariable,
  type PluginContexts,
  type Rng,
  type TextEncoder,
  type TokenBatch,
} from '@clapjs/core';
import { Params, dropout, layerNorm } from '@clapjs/layers';
import { checkTextEncoderContext, checkTokenBatch } from './context.js';
import { embeddingLookup } from './embedding-lookup.js';
import { applyGloveEmbeddings, type GloveEmbeddings } from './glove.js';
import { clsPool, maskedMeanPool } from './pooling.js';
import {
  BERT_INIT_STD,
  blockWeights,
  encoderBlock,
  normWeights,
  type BlockWeights,
  type NormWeights,
} from './transformer-block.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

const configSchema = z
  .strictObject({
    /** Encoder blocks. */
    layers: z.number().int().positive().default(2),
    /** Hidden size (BERT-base: 768). */
    width: z.number().int().positive().default(128),
    /** Attention heads; must divide width (BERT-base: 12). */
    heads: z.number().int().positive().default(4),
    /** Feed-forward inner size; default 4 × width (BERT-base: 3072). */
    ffn: z.number().int().positive().optional(),
    /** Dropout on embeddings, attention probabilities and residual branches when training. */
    dropout: z.number().min(0).lt(1).default(0.1),
    /** Learned positions; default the tokenizer's maxLength (BERT: 512). */
    maxLength: z.number().int().positive().optional(),
    /** LayerNorm placement: 'post' is BERT's layout (with an embedding LayerNorm). */
    norm: z.enum(['pre', 'post']).default('pre'),
    /** 'cls': the first token's vector; 'mean': the mean over real (unpadded) tokens. */
    pooling: z.enum(['cls', 'mean']).default('cls'),
    /** Rows of the token-type table (0: none; 2 for BERT checkpoints). Every token is type 0. */
    tokenTypes: z.number().int().min(0).default(0),
    /** LayerNorm epsilon (BERT: 1e-12). */
    layerNormEpsilon: z.number().positive().default(1e-12),
  })
  .superRefine((config, ctx) => {
    if (config.width % config.heads !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['heads'],
        message: `heads (${config.heads}) must divide width (${config.width}); choose e.g. heads ${largestDivisorUpTo(config.width, config.heads)}`,
      });
    }
  });

function largestDivisorUpTo(n: number, limit: number): number {
  for (let d = Math.min(limit, n); d > 1; d--) if (n % d === 0) return d;
  return 1;
}

/** Config of the `transformer` text encoder (as validated, defaults filled in). */
export type TransformerConfig = z.output<typeof configSchema> & { readonly name: string };

/** The embedding tables and their LayerNorm. */
interface EmbeddingWeights {
  readonly word: tf.Variable;
  readonly position: tf.Variable;
  readonly tokenType: tf.Variable | undefined;
  /** Post-LN only: BERT's embeddings.LayerNorm. */
  readonly norm: NormWeights | undefined;
}

/**
 * A transformer text encoder: token + learned position (+ token-type) embeddings, `layers`
 * blocks of multi-head self-attention with a padding mask and a GELU feed-forward, pre- or
 * post-LayerNorm, and CLS or masked-mean pooling. With `norm: 'post'` and `tokenTypes: 2` its
 * weights correspond one to one to Hugging Face's BertModel ({@link bertNameMap}).
 * Weight paths: `embeddings/{word,position,tokenType}`, `embeddings/norm/{gamma,beta}` (post),
 * `layer{i}/attention/{query,key,value,output}/{kernel,bias}`, `layer{i}/attention/norm/*`,
 * `layer{i}/ffn/{intermediate,output}/{kernel,bias}`, `layer{i}/ffn/norm/*`, `norm/*` (pre).
 */
export class TransformerTextEncoder implements TextEncoder<TransformerConfig> {
  readonly name = 'transformer';
  readonly outputDim: number;
  /** Positions the encoder can take (config maxLength, else the tokenizer's). */
  readonly maxPositions: number;
  private readonly config: TransformerConfig;
  private readonly params: Params;
  private readonly embeddings: EmbeddingWeights;
  private readonly blocks: BlockWeights[];
  private readonly finalNorm: NormWeights | undefined;
  private readonly dropoutRng: Rng;

  constructor(config: TransformerConfig, context: PluginContexts['text-encoder']) {
    checkTextEncoderContext('transformer', context);
    const ffn = config.ffn ?? 4 * config.width;
    this.maxPositions = config.maxLength ?? context.maxLength;
    if (this.maxPositions < context.maxLength) {
      throw new ConfigError(
        'textEncoder.maxLength',
        `The transformer has ${this.maxPositions} positions (textEncoder.maxLength) but the tokenizer gives ` +
          `${context.maxLength} tokens per text. Raise textEncoder.maxLength to ≥ ${context.maxLength} or lower tokenizer.maxLength.`,
      );
    }
    this.config = { ...config, ffn, maxLength: this.maxPositions };
    this.outputDim = config.width;
    this.params = new Params('', context.rng);
    this.dropoutRng = context.rng.fork('transformer/dropout');
    const { width } = config;
    const emb = this.params.child('embeddings');
    const init = { kind: 'normal', std: BERT_INIT_STD } as const;
    this.embeddings = {
      word: emb.weight('word', [context.vocabSize, width], init),
      position: emb.weight('position', [this.maxPositions, width], init),
      tokenType:
        config.tokenTypes > 0
          ? emb.weight('tokenType', [config.tokenTypes, width], init)
          : undefined,
      norm: config.norm === 'post' ? normWeights(emb.child('norm'), width) : undefined,
    };
    this.blocks = Array.from({ length: config.layers }, (_, i) =>
      blockWeights(this.params.child(`layer${i}`), width, ffn),
    );
    this.finalNorm =
      config.norm === 'pre' ? normWeights(this.params.child('norm'), width) : undefined;
  }

  /** Token batch [B, L] → pooled features [B, width]. */
  encode(tokens: TokenBatch, options: CallOptions): tf.Tensor2D {
    checkTokenBatch(this.name, tokens, this.maxPositions);
    const { norm, heads, layerNormEpsilon: epsilon, dropout: rate } = this.config;
    const drop = <T extends tf.Tensor>(x: T): T =>
      dropout(x, rate, this.dropoutRng, options.training);
    return tf.tidy(() => {
      const [batch, length] = tokens.ids.shape;
      const width = this.config.width;
      const ids = tokens.ids.dtype === 'int32' ? tokens.ids : tf.cast(tokens.ids, 'int32');
      let x = embeddingLookup(this.embeddings.word as tf.Tensor2D, ids) as tf.Tensor3D;
      x = tf.add(x, tf.slice(this.embeddings.position, [0, 0], [length, width]));
      if (this.embeddings.tokenType !== undefined)
        x = tf.add(x, tf.slice(this.embeddings.tokenType, [0, 0], [1, width]));
      if (this.embeddings.norm !== undefined) {
        x = layerNorm(
          x,
          this.embeddings.norm.gamma as tf.Tensor1D,
          this.embeddings.norm.beta as tf.Tensor1D,
          epsilon,
        );
      }
      x = drop(x);
      const mask = tf.cast(tokens.mask, 'float32');
      // -1e9 rather than -inf keeps a fully padded row finite (uniform attention, not NaN).
      const maskBias = tf.reshape(tf.mul(tf.sub(1, mask), -1e9), [
        batch,
        1,
        1,
        length,
      ]) as tf.Tensor4D;
      for (const block of this.blocks)
        x = encoderBlock(x, block, maskBias, { heads, norm, epsilon, dropout: drop });
      if (this.finalNorm !== undefined) {
        x = layerNorm(
          x,
          this.finalNorm.gamma as tf.Tensor1D,
          this.finalNorm.beta as tf.Tensor1D,
          epsilon,
        );
      }
      return this.config.pooling === 'cls' ? clsPool(x) : maskedMeanPool(x, mask as tf.Tensor2D);
    });
  }

  /**
   * Replaces the word embeddings of the words GloVe knows (see {@link loadGloveEmbeddings}).
   * @returns how many rows were replaced
   */
  initWordEmbeddings(glove: GloveEmbeddings): number {
    return applyGloveEmbeddings(this.embeddings.word, glove, this.name);
  }

  getConfig(): TransformerConfig {
    return { ...this.config };
  }

  variables(): NamedVariable[] {
    return this.params.variables();
  }

  /** Moves the dropout stream onto its fork labelled `label` (core's `Part.reseed`). */
  reseed(label: string): void {
    this.dropoutRng.reseed(label);
  }

  dispose(): void {
    this.params.dispose();
  }
}

/** The `transformer` text-encoder plugin. */
export const transformerPlugin = definePlugin({
  kind: 'text-encoder',
  name: 'transformer',
  version: PACKAGE_VERSION,
  coreVersion: '^0.1.0',
  origin: PACKAGE_NAME,
  configSchema,
  description:
    'Transformer encoder (pre/post-LN, CLS or masked-mean pooling); post-LN maps to HF BERT names',
  create: (config, context) => new TransformerTextEncoder(config, context),
});
