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
import { Params, dense, dropout, layerNorm } from '@clapjs/layers';
import { checkTextEncoderContext, checkTokenBatch } from './context.js';
import { embeddingLookup } from './embedding-lookup.js';
import { clsPool } from './pooling.js';
import {
  BERT_INIT_STD,
  blockWeights,
  denseWeights,
  encoderBlock,
  normWeights,
  type BlockWeights,
  type DenseWeights,
  type NormWeights,
} from './transformer-block.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

const int = (what: string) => z.int(`${what} must be an integer`).positive(`${what} must be > 0`);

/**
 * Config of the `roberta` text encoder; the keys are Hugging Face's RobertaConfig /
 * ClapTextConfig fields (in brackets), the defaults roberta-base's, as in every unfused CLAP
 * checkpoint.
 */
export const robertaConfigSchema = z
  .strictObject({
    /** Encoder blocks (`num_hidden_layers`). */
    layers: int('layers').default(12),
    /** Hidden size (`hidden_size`). */
    width: int('width').default(768),
    /** Attention heads (`num_attention_heads`); must divide width. */
    heads: int('heads').default(12),
    /** Feed-forward inner size (`intermediate_size`). */
    ffn: int('ffn').default(3072),
    /** Rows of the position table (`max_position_embeddings`); texts take at most maxPositions − padTokenId − 1 tokens. */
    maxPositions: int('maxPositions').default(514),
    /** Rows of the token-type table (`type_vocab_size`); every token is type 0. */
    tokenTypes: int('tokenTypes').default(1),
    /** The padding id (`pad_token_id`): positions count from padTokenId + 1 over non-pad tokens. */
    padTokenId: z.int('padTokenId must be an integer').min(0, 'padTokenId must be ≥ 0').default(1),
    /** LayerNorm epsilon (`layer_norm_eps`). */
    layerNormEpsilon: z.number().positive('layerNormEpsilon must be > 0').default(1e-5),
    /** Dropout on embeddings, attention probabilities and residual branches when training (`hidden_dropout_prob`). */
    dropout: z
      .number()
      .min(0, 'dropout must be in [0, 1)')
      .lt(1, 'dropout must be in [0, 1)')
      .default(0.1),
  })
  .superRefine((c, ctx) => {
    if (c.width % c.heads !== 0)
      ctx.addIssue({
        code: 'custom',
        path: ['heads'],
        message: `heads (${c.heads}) must divide width (${c.width})`,
      });
    if (c.maxPositions <= c.padTokenId + 1)
      ctx.addIssue({
        code: 'custom',
        path: ['maxPositions'],
        message: `maxPositions (${c.maxPositions}) must exceed padTokenId + 1 (${c.padTokenId + 1})`,
      });
  });

/** A validated `roberta` config. */
export type RobertaConfig = z.output<typeof robertaConfigSchema> & { readonly name: string };

/** What {@link RobertaTextEncoder.forward} returns. */
export interface RobertaOutputs {
  /** The last hidden states `[batch, length, width]` (HF `last_hidden_state`). */
  readonly hidden: tf.Tensor3D;
  /** tanh(dense(hidden[:, 0])) `[batch, width]` (HF `pooler_output`, what CLAP projects). */
  readonly pooled: tf.Tensor2D;
}

/**
 * RoBERTa (Hugging Face RobertaModel, the text tower of LAION-CLAP and HF ClapModel): word +
 * position + token-type embeddings with LayerNorm, where position ids count from padTokenId + 1
 * over non-pad tokens and pads take padTokenId (HF's create_position_ids_from_input_ids);
 * post-LN BERT blocks (erf GELU, padding mask); pooled output tanh(dense(<s>)). Weight paths are
 * the `transformer` encoder's plus `pooler/{kernel,bias}` ({@link robertaNameMap}).
 */
export class RobertaTextEncoder implements TextEncoder<RobertaConfig> {
  readonly name = 'roberta';
  readonly outputDim: number;
  /** The most tokens per text: maxPositions − padTokenId − 1 (512 for roberta-base). */
  readonly maxTokens: number;
  private readonly config: RobertaConfig;
  private readonly params: Params;
  private readonly word: tf.Variable;
  private readonly position: tf.Variable;
  private readonly tokenType: tf.Variable;
  private readonly embeddingNorm: NormWeights;
  private readonly blocks: BlockWeights[];
  private readonly pooler: DenseWeights;
  private readonly dropoutRng: Rng;

  constructor(config: RobertaConfig, context: PluginContexts['text-encoder']) {
    checkTextEncoderContext('roberta', context);
    this.maxTokens = config.maxPositions - config.padTokenId - 1;
    if (context.maxLength > this.maxTokens) {
      throw new ConfigError(
        'tokenizer.maxLength',
        `The roberta encoder takes at most ${this.maxTokens} tokens per text (maxPositions ${config.maxPositions} − padTokenId ${config.padTokenId} − 1) ` +
          `but the tokenizer gives ${context.maxLength}. Lower tokenizer.maxLength (CLAP: 77).`,
      );
    }
    this.config = { ...config };
    this.outputDim = config.width;
    this.params = new Params('', context.rng);
    this.dropoutRng = context.rng.fork('roberta/dropout');
    const { width } = config;
    const emb = this.params.child('embeddings');
    const init = { kind: 'normal', std: BERT_INIT_STD } as const;
    this.word = emb.weight('word', [context.vocabSize, width], init);
    this.position = emb.weight('position', [config.maxPositions, width], init);
    this.tokenType = emb.weight('tokenType', [config.tokenTypes, width], init);
    this.embeddingNorm = normWeights(emb.child('norm'), width);
    this.blocks = Array.from({ length: config.layers }, (_, i) =>
      blockWeights(this.params.child(`layer${i}`), width, config.ffn),
    );
    this.pooler = denseWeights(this.params.child('pooler'), width, width);
  }

  /** Token batch `[B, L]` → the pooled output `[B, width]`. */
  encode(tokens: TokenBatch, options: CallOptions): tf.Tensor2D {
    const { hidden, pooled } = this.forward(tokens, options);
    hidden.dispose();
    return pooled;
  }

  /** The last hidden states and the pooled output. */
  forward(tokens: TokenBatch, options: CallOptions): RobertaOutputs {
    checkTokenBatch(this.name, tokens, this.maxTokens);
    const { heads, layerNormEpsilon: epsilon, dropout: rate, padTokenId, width } = this.config;
    const drop = <T extends tf.Tensor>(x: T): T =>
      dropout(x, rate, this.dropoutRng, options.training);
    return tf.tidy(() => {
      const [batch, length] = tokens.ids.shape;
      const ids = tokens.ids.dtype === 'int32' ? tokens.ids : tf.cast(tokens.ids, 'int32');
      // Position ids as HF's create_position_ids_from_input_ids: from the ids, not the mask.
      const real = tf.cast(tf.notEqual(ids, padTokenId), 'float32');
      const positions = tf.cast(
        tf.add(tf.mul(tf.cumsum(real, 1), real), padTokenId),
        'int32',
      ) as tf.Tensor2D;
      let x = embeddingLookup(this.word as tf.Tensor2D, ids) as tf.Tensor3D;
      x = tf.add(x, tf.slice(this.tokenType, [0, 0], [1, width]));
      x = tf.add(x, embeddingLookup(this.position as tf.Tensor2D, positions));
      x = layerNorm(
        x,
        this.embeddingNorm.gamma as tf.Tensor1D,
        this.embeddingNorm.beta as tf.Tensor1D,
        epsilon,
      );
      x = drop(x);
      const mask = tf.cast(tokens.mask, 'float32');
      const maskBias = tf.reshape(tf.mul(tf.sub(1, mask), -1e9), [
        batch,
        1,
        1,
        length,
      ]) as tf.Tensor4D;
      for (const block of this.blocks)
        x = encoderBlock(x, block, maskBias, { heads, norm: 'post', epsilon, dropout: drop });
      const pooled = tf.tanh(
        dense(clsPool(x), this.pooler.kernel as tf.Tensor2D, this.pooler.bias as tf.Tensor1D),
      ) as tf.Tensor2D;
      return { hidden: x, pooled };
    });
  }

  getConfig(): RobertaConfig {
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

/** The `roberta` text-encoder plugin. */
export const robertaPlugin = definePlugin({
  kind: 'text-encoder',
  name: 'roberta',
  version: PACKAGE_VERSION,
  coreVersion: '^0.1.0',
  origin: PACKAGE_NAME,
  configSchema: robertaConfigSchema,
  description:
    'RoBERTa (HF RobertaModel; the text tower of LAION-CLAP and HF CLAP): positions from padTokenId + 1, pooled tanh(dense(<s>)); defaults roberta-base',
  create: (config, context) => new RobertaTextEncoder(config, context),
});
