import * as tf from '@tensorflow/tfjs-core';
import {
  definePlugin,
  z,
  type CallOptions,
  type NamedVariable,
  type PluginContexts,
  type Rng,
  type TextEncoder,
  type TokenBatch,
} from '@clapjs/core';
import { Params, dense, dropout } from '@clapjs/layers';
import { checkTextEncoderContext, checkTokenBatch } from './context.js';
import { embeddingLookup } from './embedding-lookup.js';
import { applyGloveEmbeddings, type GloveEmbeddings } from './glove.js';
import { maskedMeanPool } from './pooling.js';
import { BERT_INIT_STD, denseWeights, type DenseWeights } from './transformer-block.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

const configSchema = z.strictObject({
  /** Size of the word embeddings. */
  width: z.number().int().positive().default(128),
  /** Size of an optional dense layer after the mean (the output size); none when absent. */
  dense: z.number().int().positive().optional(),
  /** Dropout on the word embeddings when training. */
  dropout: z.number().min(0).lt(1).default(0),
});

/** Config of the `bag-of-embeddings` text encoder. */
export type BagOfEmbeddingsConfig = z.output<typeof configSchema> & { readonly name: string };

/**
 * The baseline text encoder: the mean of the word embeddings of the real (unpadded) tokens,
 * optionally followed by a dense layer. Weight paths: `embeddings/word`, `dense/{kernel,bias}`.
 */
export class BagOfEmbeddingsTextEncoder implements TextEncoder<BagOfEmbeddingsConfig> {
  readonly name = 'bag-of-embeddings';
  readonly outputDim: number;
  private readonly config: BagOfEmbeddingsConfig;
  private readonly params: Params;
  private readonly word: tf.Variable;
  private readonly head: DenseWeights | undefined;
  private readonly dropoutRng: Rng;

  constructor(config: BagOfEmbeddingsConfig, context: PluginContexts['text-encoder']) {
    checkTextEncoderContext('bag-of-embeddings', context);
    this.config = { ...config };
    this.params = new Params('', context.rng);
    this.dropoutRng = context.rng.fork('bag-of-embeddings/dropout');
    this.word = this.params.child('embeddings').weight('word', [context.vocabSize, config.width], {
      kind: 'normal',
      std: BERT_INIT_STD,
    });
    this.head =
      config.dense === undefined
        ? undefined
        : denseWeights(this.params.child('dense'), config.width, config.dense);
    this.outputDim = config.dense ?? config.width;
  }

  /** Token batch [B, L] → [B, outputDim]. Any length works: there are no positions. */
  encode(tokens: TokenBatch, options: CallOptions): tf.Tensor2D {
    checkTokenBatch(this.name, tokens, Number.POSITIVE_INFINITY);
    return tf.tidy(() => {
      const ids = tokens.ids.dtype === 'int32' ? tokens.ids : tf.cast(tokens.ids, 'int32');
      const embedded = dropout(
        embeddingLookup(this.word as tf.Tensor2D, ids) as tf.Tensor3D,
        this.config.dropout,
        this.dropoutRng,
        options.training,
      );
      const pooled = maskedMeanPool(embedded, tokens.mask);
      return this.head === undefined
        ? pooled
        : dense(pooled, this.head.kernel as tf.Tensor2D, this.head.bias as tf.Tensor1D);
    });
  }

  /**
   * Replaces the word embeddings of the words GloVe knows (see {@link loadGloveEmbeddings}).
   * @returns how many rows were replaced
   */
  initWordEmbeddings(glove: GloveEmbeddings): number {
    return applyGloveEmbeddings(this.word, glove, this.name);
  }

  getConfig(): BagOfEmbeddingsConfig {
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

/** The `bag-of-embeddings` text-encoder plugin. */
export const bagOfEmbeddingsPlugin = definePlugin({
  kind: 'text-encoder',
  name: 'bag-of-embeddings',
  version: PACKAGE_VERSION,
  coreVersion: '^0.1.0',
  origin: PACKAGE_NAME,
  configSchema,
  description: 'Masked mean of word embeddings (+ optional dense): the baseline text encoder',
  create: (config, context) => new BagOfEmbeddingsTextEncoder(config, context),
});
