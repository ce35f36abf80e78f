import * as tf from '@tensorflow/tfjs-core';
import { ClapError } from '@clapjs/core';
import type { NamedVariable, Rng, Similarity, SimilarityDirection } from '@clapjs/core';
import { l2Normalize, matMul, Params } from '@clapjs/layers';

/** The validated config of the `cosine` and `dot` similarities. */
export interface SimilarityConfig {
  readonly name: string;
  /** Initial log logit scale s (the logits are multiplied by exp(s)). */
  readonly initScale: number;
  /** Upper clamp of s, applied by `afterUpdate()`; the lower clamp is 0. */
  readonly maxScale: number;
  /** Whether s is trained (otherwise it stays at `initScale`). */
  readonly learnScale: boolean;
  /** Whether a learnable bias b is added to every logit (SigLIP). */
  readonly bias: boolean;
  /** Initial b when `bias` is true. */
  readonly initBias: number;
  /**
   * How many log scales and which reading uses which (see {@link LogitScales}); `one` unless a
   * published two-scale checkpoint was imported.
   */
  readonly logitScales: LogitScales;
}

/**
 * The log logit scales a similarity keeps:
 * - `one`: one scale s (path `logit_scale`) for both directions (CLIP, msclap, clapjs models);
 * - `per-direction`: `logit_scale_t` scales `text-to-audio` readings and `logit_scale_a`
 *   `audio-to-text` ones, as Hugging Face ClapModel computes `logits_per_text` and
 *   `logits_per_audio`;
 * - `audio`: both are stored but `logit_scale_a` scales every reading, as LAION-CLAP's inference
 *   and (default, non-MLP) training loss do; `logit_scale_t` is kept for round trips and not trained.
 */
export type LogitScales = 'one' | 'per-direction' | 'audio';

/** Text and audio embeddings that cannot be compared (wrong rank, different widths). */
export class SimilarityInputError extends ClapError {}

/**
 * Scores every text against every audio: `C = exp(s) · T · Aᵀ (+ b)`, rows = texts. With
 * `normalize` (the `cosine` plugin) both sides are L2-normalised first.
 */
export class ScaledSimilarity implements Similarity<SimilarityConfig & Record<string, unknown>> {
  readonly name: string;
  /**
   * The log logit scale s (path `logit_scale`, no weight decay); with two scales, the audio one
   * (path `logit_scale_a`).
   */
  readonly logScale: tf.Variable;
  /** With two scales, the text one (path `logit_scale_t`); otherwise undefined. */
  readonly textLogScale: tf.Variable | undefined;
  /** The bias b (path `logit_bias`), when `bias` is enabled. */
  readonly logitBias: tf.Variable | undefined;
  private readonly params: Params;

  constructor(
    private readonly config: SimilarityConfig,
    private readonly normalize: boolean,
    rng: Rng,
  ) {
    this.name = config.name;
    // Paths without a prefix: the model adds `similarity/`.
    this.params = new Params('', rng);
    if (config.logitScales === 'one') {
      this.logScale = this.scalar('logit_scale', config.initScale, config.learnScale);
      this.textLogScale = undefined;
    } else {
      this.logScale = this.scalar('logit_scale_a', config.initScale, config.learnScale);
      this.textLogScale = this.scalar(
        'logit_scale_t',
        config.initScale,
        config.learnScale && config.logitScales === 'per-direction',
      );
    }
    this.logitBias = config.bias ? this.scalar('logit_bias', config.initBias, true) : undefined;
  }

  /** True for `per-direction`: `text-to-audio` reads with `logit_scale_t`, `audio-to-text` with `logit_scale_a`. */
  get scalesPerDirection(): boolean {
    return this.config.logitScales === 'per-direction';
  }

  getConfig(): SimilarityConfig & Record<string, unknown> {
    return { ...this.config };
  }

  variables(): NamedVariable[] {
    return this.params.variables();
  }

  /**
   * @param text `[texts, d]` embeddings
   * @param audio `[audios, d]` embeddings
   * @param direction picks the scale when there are two per direction (default `text-to-audio`)
   * @returns C `[texts, audios]`
   * @throws SimilarityInputError when the inputs are not 2-D or their widths differ
   */
  call(
    text: tf.Tensor2D,
    audio: tf.Tensor2D,
    direction: SimilarityDirection = 'text-to-audio',
  ): tf.Tensor2D {
    if (text.rank !== 2 || audio.rank !== 2 || text.shape[1] !== audio.shape[1]) {
      throw new SimilarityInputError(
        'SIMILARITY_SHAPE',
        `${this.name} similarity: text and audio embeddings must be [texts, d] and [audios, d] with the same d, ` +
          `got text [${text.shape.join(', ')}] and audio [${audio.shape.join(', ')}]. ` +
          'Give both projections the same `dim`.',
      );
    }
    return tf.tidy(() => {
      const t = this.normalize ? l2Normalize(text) : text;
      const a = this.normalize ? l2Normalize(audio) : audio;
      // A materialised transpose keeps matMul on tfjs-wasm's fast untransposed path
      // (docs/engineering-notes.md, "tfjs-wasm: transposed matMul is slow").
      const dots = matMul(t, tf.transpose(a));
      const scaled = tf.mul(dots, tf.exp(this.scaleFor(direction)));
      return (
        this.logitBias === undefined ? scaled : tf.add(scaled, this.logitBias)
      ) as tf.Tensor2D;
    });
  }

  /** Clamps s to [0, maxScale] (call after every optimizer step, as CLIP/CLAP do). */
  afterUpdate(): void {
    tf.tidy(() => {
      for (const s of [this.logScale, this.textLogScale])
        if (s?.trainable === true) s.assign(tf.clipByValue(s, 0, this.config.maxScale));
    });
  }

  /** exp(s) of the scale `direction` reads with, as now (a new scalar; dispose it). */
  logitScale(direction: SimilarityDirection = 'text-to-audio'): tf.Scalar {
    return tf.exp(this.scaleFor(direction) as tf.Scalar);
  }

  private scaleFor(direction: SimilarityDirection): tf.Variable {
    return direction === 'text-to-audio' && this.config.logitScales === 'per-direction'
      ? this.textLogScale!
      : this.logScale;
  }

  dispose(): void {
    this.params.dispose();
  }

  private scalar(path: string, init: number, trainable: boolean): tf.Variable {
    const variable = this.params.weight(path, [], { kind: 'zeros' }, { trainable, decay: false });
    tf.tidy(() => variable.assign(tf.scalar(init)));
    return variable;
  }
}
