import type { Scalar, Tensor2D, Tensor4D, Variable } from '@tensorflow/tfjs-core';

/** A configuration: plain JSON, always carrying the plugin name that built the part. */
export type PartConfig = { readonly name: string } & Record<string, unknown>;

/** Whether a forward pass is for training (dropout, batch statistics) or inference. */
export interface CallOptions {
  readonly training: boolean;
}

/**
 * One weight of a part, with a stable path used by save/load and by optimizers.
 * `decay` says whether decoupled weight decay applies (false for biases, norms, scales).
 */
export interface NamedVariable {
  readonly path: string;
  readonly variable: Variable;
  readonly trainable: boolean;
  readonly decay: boolean;
}

/** Everything every model part has: its name, its config, its weights. */
export interface Part<C extends PartConfig = PartConfig> {
  readonly name: string;
  /** The config that rebuilds this part exactly (JSON-serialisable). */
  getConfig(): C;
  /** All weights, trainable or not (e.g. BatchNorm moving statistics), with stable paths. */
  variables(): NamedVariable[];
  /** Frees every weight. */
  dispose(): void;
  /**
   * Re-derives the part's random streams (dropout masks) from a fork of its own labelled
   * `label`, so that copies of one part (e.g. one per gradient worker, all loaded from the same
   * files) draw different masks. Deterministic: the same state and label give the same streams.
   * Parts that draw no random numbers omit it.
   */
  reseed?(label: string): void;
}

/**
 * What an audio encoder takes, i.e. what the model's front end must build from a clip:
 * - `log-mel`: one log-mel per window, `[batch, frames, melBins, 1]`; a clip longer than the
 *   window is split into windows whose embeddings are averaged;
 * - `fusion`: LAION-CLAP's fusion input, `[batch, frames, melBins, 4]` per clip of any length:
 *   the whole clip's log-mel shrunk to one window, then front, middle and back crops (four copies
 *   of the padded log-mel for a clip no longer than the window); @clapjs/audio's `fusionLogMel`.
 */
export type AudioEncoderInput = 'log-mel' | 'fusion';

/** The options of an audio encoder's forward pass. */
export interface AudioCallOptions extends CallOptions {
  /**
   * `fusion` input only: per clip of the batch, whether it is "longer" (LAION-CLAP's `longer`,
   * Hugging Face's `is_longer`), i.e. whether its three crops are fused in. Absent: a clip is
   * longer when its crop channels differ from its whole-clip channel (longer than the window).
   * Given to reproduce a run of the originals (Hugging Face marks the only clip of a batch with
   * no long clip as longer). ClapModel passes it to `fusion` encoders only.
   */
  readonly longer?: readonly boolean[];
}

/** Maps a batch of log-mel spectrograms `[batch, frames, melBins, 1]` to features `[batch, outputDim]`. */
export interface AudioEncoder<C extends PartConfig = PartConfig> extends Part<C> {
  readonly outputDim: number;
  /** The input it takes (see {@link AudioEncoderInput}); absent means `log-mel`. */
  readonly input?: AudioEncoderInput;
  encode(logMel: Tensor4D, options: AudioCallOptions): Tensor2D;
}

/** Token ids `[batch, length]` (int32) and a mask `[batch, length]` (float32, 1 = real token). */
export interface TokenBatch {
  readonly ids: Tensor2D;
  readonly mask: Tensor2D;
}

/** Maps a token batch to features `[batch, outputDim]`. */
export interface TextEncoder<C extends PartConfig = PartConfig> extends Part<C> {
  readonly outputDim: number;
  encode(tokens: TokenBatch, options: CallOptions): Tensor2D;
}

/** The ids of one text, padded or truncated to a fixed length. */
export interface EncodedText {
  readonly ids: number[];
  /** 1 for real tokens, 0 for padding. */
  readonly mask: number[];
}

/** Turns text into ids. Texts longer than `maxLength` are truncated, never an error. */
export interface Tokenizer<C extends PartConfig = PartConfig> {
  readonly name: string;
  readonly vocabSize: number;
  readonly padId: number;
  encode(text: string, maxLength: number): EncodedText;
  getConfig(): C;
  /** Everything needed to rebuild this tokenizer (vocabulary included), JSON-serialisable. */
  toJSON(): unknown;
}

/** Maps encoder features `[batch, inputDim]` into the joint space `[batch, outputDim]`. */
export interface Projection<C extends PartConfig = PartConfig> extends Part<C> {
  readonly outputDim: number;
  call(x: Tensor2D, options: CallOptions): Tensor2D;
}

/**
 * Which way a logits matrix C (rows = texts, columns = audios) is read: `text-to-audio` ranks the
 * audios for each text (a row's softmax; Hugging Face ClapModel's `logits_per_text`),
 * `audio-to-text` the texts for each audio (a column's softmax; `logits_per_audio`, zero-shot
 * classification).
 */
export type SimilarityDirection = 'text-to-audio' | 'audio-to-text';

/**
 * Scores every text against every audio: returns C `[texts, audios]` (rows = texts). Holds the
 * learnable logit scale (and bias, where used); `afterUpdate` clamps them after each step.
 * A similarity may keep one scale per direction (LAION-CLAP and Hugging Face ClapModel store
 * `logit_scale_a` and `logit_scale_t`): `direction` then picks the one the reading uses; a
 * one-scale similarity ignores it. Omitted, it is `text-to-audio`.
 */
export interface Similarity<C extends PartConfig = PartConfig> extends Part<C> {
  call(text: Tensor2D, audio: Tensor2D, direction?: SimilarityDirection): Tensor2D;
  /**
   * True when the two directions read with different scales (Hugging Face ClapModel's
   * `logit_scale_t` and `logit_scale_a`): training then computes C once per direction and hands
   * both to the loss (see {@link ContrastiveLoss}). Absent or false: one C serves both.
   */
  readonly scalesPerDirection?: boolean;
  afterUpdate(): void;
  /**
   * The factor the logits read in `direction` are scaled by now (`exp(s)` for a learnable log
   * scale s), as a new scalar the caller disposes; what trainers report as the logit scale.
   */
  logitScale(direction?: SimilarityDirection): Scalar;
}

/**
 * A contrastive loss over a logits matrix C (rows = texts, columns = audios). A model whose
 * similarity keeps one scale per direction ({@link Similarity.scalesPerDirection}) passes the
 * matrix twice, once per reading: `logits` scaled for `text-to-audio` and `audioToText` (same
 * orientation, rows = texts) for `audio-to-text`; a loss scores each direction's softmax on its
 * own reading (`symmetric-clap`: rows of `logits`, columns of `audioToText`). Omitted (one-scale
 * models), `audioToText` is `logits`; losses that have no per-direction reading (SigLIP) use
 * `logits` only.
 */
export interface ContrastiveLoss<C extends PartConfig = PartConfig> {
  readonly name: string;
  getConfig(): C;
  call(logits: Tensor2D, audioToText?: Tensor2D): Scalar;
}

/** Audio as decoded samples, or a file to decode. */
export type AudioSource =
  | { readonly kind: 'samples'; readonly samples: Float32Array; readonly sampleRate: number }
  | { readonly kind: 'file'; readonly path: string };

/** The three splits a dataset may assign. */
export type Split = 'train' | 'val' | 'test';

/** One clip with its captions. */
export interface DatasetItem {
  readonly id: string;
  readonly audio: AudioSource;
  readonly captions: readonly string[];
  readonly label?: string;
  readonly split?: Split;
  /** Free-form attributes (e.g. the generator parameters of a synthetic clip). */
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** A finite, indexable collection of clips. */
export interface Dataset<C extends PartConfig = PartConfig> {
  readonly name: string;
  readonly size: number;
  getConfig(): C;
  get(index: number): Promise<DatasetItem>;
}

/** What a callback is told after each step. */
export interface StepInfo {
  readonly step: number;
  readonly totalSteps: number;
  readonly loss: number;
  readonly learningRate: number;
  readonly samplesPerSecond: number;
  readonly logitScale: number;
}

/** Hooks into a training run; every method is optional. */
export interface TrainerCallback<C extends PartConfig = PartConfig> {
  readonly name: string;
  getConfig(): C;
  onTrainBegin?(info: {
    readonly totalSteps: number;
    readonly startStep: number;
  }): void | Promise<void>;
  onStepEnd?(info: StepInfo): void | Promise<void>;
  /**
   * Called after every callback's `onStepEnd` for the step, so after any evaluation the step ran
   * (`onEvalEnd`): the place to save a checkpoint that carries this step's metrics.
   */
  afterStepEnd?(info: StepInfo): void | Promise<void>;
  onEvalEnd?(info: {
    readonly step: number;
    readonly metrics: Readonly<Record<string, number>>;
  }): void | Promise<void>;
  onTrainEnd?(info: {
    readonly step: number;
    readonly stopped: boolean;
    readonly reason?: string;
  }): void | Promise<void>;
  /** Return true to ask the trainer to stop after the current step. */
  shouldStop?(): boolean;
}

/**
 * A CLAP model as its parts, for code that runs the parts itself (a gradient worker embeds its
 * shard of a batch, then scores it against the whole batch); @clapjs/model's `ClapModel`
 * satisfies it.
 */
export interface PartsModel {
  tokenize(texts: readonly string[]): TokenBatch;
  readonly audioEncoder: AudioEncoder;
  readonly textEncoder: TextEncoder;
  readonly audioProjection: Projection;
  readonly textProjection: Projection;
  readonly similarity: Similarity;
  /** Every variable of every part, with its stable path. */
  variables(): NamedVariable[];
  dispose(): void;
}

/**
 * Loads a model from the directory its `save(dir)` wrote. A module exporting one as `loadModel`
 * (`@clapjs/model/load` for a ClapModel) is what @clapjs/trainer's gradient workers import, by
 * URL (the trainer's `modelLoader` option), to build their copy of the model.
 */
export type ModelLoader = (dir: string) => Promise<PartsModel>;
