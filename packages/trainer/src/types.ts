import type * as tf from '@tensorflow/tfjs-core';
import type { CallOptions, NamedVariable, PartConfig, Similarity, TokenBatch } from '@clapjs/core';

/**
 * What the trainer's own loop needs from a model, in terms of core's part contracts.
 * `ClapModel` from @clapjs/model satisfies it; keeping it structural lets the trainer be tested
 * with any small model. (Gradient workers, `workers` > 1, build their copy from what `save(dir)`
 * writes, through the trainer's `modelLoader`.)
 */
export interface TrainableModel {
  /** The model config; `loss` (a loss plugin config) is used when no loss is given. */
  readonly config: { readonly loss?: PartConfig } & object;
  tokenize(texts: readonly string[]): TokenBatch;
  forward(
    logMel: tf.Tensor4D,
    tokens: TokenBatch,
    options: CallOptions,
  ): {
    logits: tf.Tensor2D;
    /** The `audio-to-text` reading, when the similarity scales each direction on its own. */
    audioToTextLogits?: tf.Tensor2D;
    audioEmbeddings: tf.Tensor2D;
    textEmbeddings: tf.Tensor2D;
  };
  /** L2-normalised audio embeddings `[batch, dim]`. */
  encodeAudio(logMel: tf.Tensor4D): tf.Tensor2D;
  /** L2-normalised text embeddings `[texts, dim]`. */
  encodeText(texts: string[]): tf.Tensor2D;
  variables(): NamedVariable[];
  /**
   * The part that scores texts against audios: its `logitScale()` is reported each step, and
   * with gradient workers its variables (which see the whole gathered batch) are not summed.
   */
  readonly similarity: Similarity;
  /** Called after every optimizer step (the logit-scale clamp). */
  afterUpdate(): void;
  /** Writes a loadable model directory (ClapModel.save); checkpoints include it when present. */
  save?(dir: string): Promise<void>;
}

/** One batch as @clapjs/data's DataLoader yields it. */
export interface Batch {
  /** `batch × frames × melBins` log-mel values, row-major. */
  readonly logMel: Float32Array;
  readonly frames: number;
  readonly melBins: number;
  readonly captions: readonly string[];
  readonly ids: readonly string[];
  readonly labels: readonly (string | undefined)[];
}

/**
 * A source of batches with a resumable position: @clapjs/data's DataLoader. Each iteration is
 * one epoch; the trainer starts a new iteration when one ends.
 */
export interface BatchSource extends AsyncIterable<Batch> {
  getState(): unknown;
  setState(state: unknown): void;
}

/** Anything with a saveable random state (core's `Rng`). */
export interface StatefulRng {
  getState(): readonly number[];
  setState(state: never): void;
}
