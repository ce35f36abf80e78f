import * as tf from '@tensorflow/tfjs-core';
import type { AudioEncoder, CallOptions, NamedVariable, Rng } from '@clapjs/core';
import { dense, dropout, gelu, layerNorm, Params } from '@clapjs/layers';
import { BatchNorm } from '../batch-norm.js';
import { AudioEncoderInputError } from '../cnn-encoder.js';
import { resizeTime } from './bicubic.js';
import type { HtsatConfigInput } from './config.js';
import {
  htsatParameters,
  htsatPlan,
  type HtsatPlan,
  type SwinBlockPlan,
  type SwinStagePlan,
} from './plan.js';
import {
  relativePositionOneHot,
  roll2d,
  shiftedWindowMask,
  windowPartition,
  windowReverse,
} from './windows.js';

/** PyTorch nn.LayerNorm's default epsilon (patch embedding, patch merging and final norms). */
const TORCH_LN_EPSILON = 1e-5;

/** What {@link HtsatAudioEncoder.forward} returns. */
export interface HtsatOutputs {
  /** The CLAP latent `[batch, outputDim]`: the mean over the last stage's normalised tokens. */
  readonly embedding: tf.Tensor2D;
  /** With `trace`: the patch embedding and each stage's output tokens `[batch, tokens, channels]`. */
  readonly stages?: tf.Tensor3D[];
}

/**
 * HTS-AT (Chen et al., 2022), the audio encoder of LAION-CLAP's and Hugging Face's unfused CLAP
 * checkpoints: bn0 over mel bins → bicubic (align_corners) time resize to specSize × freqRatio
 * frames when shorter → the log-mel folded into a specSize² image (freqRatio time chunks stacked
 * along frequency) → p×p patch embedding + LayerNorm → Swin stages (window attention with
 * relative position bias, shifted windows with upstream's −100 mask on odd blocks, GELU MLP,
 * patch merging between stages) → LayerNorm → mean over the last stage's tokens (LAION's
 * `embedding`, HF's `pooler_output`). Input `[batch, frames, melBins, 1]`, frames ≤ specSize ×
 * freqRatio (1,024 for CLAP: 10 s at 48 kHz, hop 480). Weight paths are LAION's state_dict names
 * with `/` ({@link htsatLaionNames}, {@link htsatHfNames}).
 */
export class HtsatAudioEncoder implements AudioEncoder<HtsatConfigInput> {
  readonly name = 'htsat';
  readonly outputDim: number;
  /** The resolved stage plan. */
  readonly plan: HtsatPlan;
  private readonly config: HtsatConfigInput;
  private readonly params: Params;
  private readonly weights: Map<string, tf.Variable>;
  private readonly bn0: BatchNorm;
  private readonly rng: Rng;
  /** Constant tensors shared by blocks: relative-position one-hots and shift masks. */
  private readonly constants = new Map<string, tf.Tensor>();

  /**
   * @param config an `htsat` config (validated here; omitted keys take HTSAT-tiny's values)
   * @param context the mel-bin count of the input and the seeded generator for weights and drop path
   */
  constructor(config: HtsatConfigInput, context: { readonly melBins: number; readonly rng: Rng }) {
    this.plan = htsatPlan(config, context.melBins);
    this.config = config;
    this.outputDim = this.plan.outputDim;
    this.rng = context.rng.fork('drop-path');
    this.params = new Params('', context.rng.fork('weights'));
    const c = this.plan.config;
    this.bn0 = new BatchNorm(this.params.child('bn0'), this.plan.melBins, {
      momentum: c.bnMomentum,
      epsilon: c.bnEpsilon,
    });
    const patchFanIn = c.patchSize * c.patchSize;
    // bn0 (created above by BatchNorm) comes first in the plan; the rest is created from it.
    for (const { path, shape, trainable, init, decay } of htsatParameters(this.plan).slice(4)) {
      const initializer =
        init === 'patch'
          ? ({ kind: 'torch-default', fanIn: patchFanIn } as const)
          : init === 'normal'
            ? ({ kind: 'normal', std: 0.02 } as const) // LAION: trunc_normal(std 0.02)
            : ({ kind: init } as const);
      this.params.weight(path, shape, initializer, { trainable, decay });
    }
    this.weights = new Map(this.params.variables().map((v) => [v.path, v.variable]));
  }

  /** Maps log-mel `[batch, frames, melBins, 1]` to the CLAP latent `[batch, outputDim]`. */
  encode(logMel: tf.Tensor4D, options: CallOptions): tf.Tensor2D {
    return this.forward(logMel, options).embedding;
  }

  /** The latent and, with `trace`, the patch embedding and every stage's output (for checks). */
  forward(logMel: tf.Tensor4D, options: CallOptions, trace = false): HtsatOutputs {
    this.checkInput(logMel);
    return tf.tidy(() => {
      const [batch, frames, mels] = logMel.shape;
      const { frames: target, freqRatio, grid } = this.plan;
      const { patchSize, embedDim } = this.plan.config;
      let x3 = this.bn0.apply(
        tf.reshape(logMel, [batch, frames, mels]) as tf.Tensor3D,
        options.training,
      );
      if (frames < target) x3 = resizeTime(x3, target);
      // Fold: time chunk r of the log-mel becomes image rows r·melBins … (r + 1)·melBins − 1.
      const chunks = tf.reshape(x3, [batch, freqRatio, target / freqRatio, mels]);
      const image = tf.reshape(tf.transpose(chunks, [0, 1, 3, 2]), [
        batch * grid,
        patchSize,
        grid,
        patchSize,
      ]);
      const patches = tf.reshape(tf.transpose(image, [0, 2, 1, 3]), [
        batch,
        grid * grid,
        patchSize * patchSize,
      ]);
      const kernel = tf.reshape(this.w('patch_embed/proj/weight'), [
        patchSize * patchSize,
        embedDim,
      ]) as tf.Tensor2D;
      let x = dense(patches, kernel, this.w('patch_embed/proj/bias') as tf.Tensor1D) as tf.Tensor3D;
      x = this.norm(x, 'patch_embed/norm', TORCH_LN_EPSILON);
      const stages: tf.Tensor3D[] = trace ? [tf.keep(x)] : [];
      this.plan.stages.forEach((stage, i) => {
        stage.blocks.forEach((block, b) => {
          x = this.swinBlock(x, stage, block, `layers/${i}/blocks/${b}`, options.training);
        });
        if (stage.merge) x = this.patchMerging(x, stage, `layers/${i}/downsample`);
        if (trace) stages.push(tf.keep(x));
      });
      x = this.norm(x, 'norm', TORCH_LN_EPSILON);
      const embedding = tf.mean(x, 1) as tf.Tensor2D;
      return trace ? { embedding, stages } : { embedding };
    });
  }

  /** The config this encoder was built from. */
  getConfig(): HtsatConfigInput {
    return { ...this.config };
  }

  /** Every weight (bn0's moving statistics too), paths as LAION's state_dict with `/`. */
  variables(): NamedVariable[] {
    return this.params.variables();
  }

  /** Moves the drop-path stream onto its fork labelled `label` (core's `Part.reseed`). */
  reseed(label: string): void {
    this.rng.reseed(label);
  }

  /** Frees every weight and cached constant. */
  dispose(): void {
    this.params.dispose();
    for (const t of this.constants.values()) t.dispose();
    this.constants.clear();
  }

  private w(path: string): tf.Variable {
    const v = this.weights.get(path);
    if (v === undefined) throw new Error(`HtsatAudioEncoder: no weight ${path}`);
    return v;
  }

  private norm<T extends tf.Tensor>(x: T, path: string, epsilon: number): T {
    return layerNorm(
      x,
      this.w(`${path}/weight`) as tf.Tensor1D,
      this.w(`${path}/bias`) as tf.Tensor1D,
      epsilon,
    ) as T;
  }

  private linear<T extends tf.Tensor>(x: T, path: string, bias = true): T {
    const b = bias ? (this.w(`${path}/bias`) as tf.Tensor1D) : undefined;
    return dense(x, this.w(`${path}/weight`) as tf.Tensor2D, b);
  }

  private constant(key: string, make: () => tf.Tensor): tf.Tensor {
    let t = this.constants.get(key);
    if (t === undefined) {
      t = tf.keep(make());
      this.constants.set(key, t);
    }
    return t;
  }

  /** Relative position bias (+ shift mask): `[windowsPerImage or 1, heads, n·n]`. */
  private attentionBias(stage: SwinStagePlan, block: SwinBlockPlan, path: string): tf.Tensor3D {
    const { window, shift } = block;
    const n = window * window;
    const side = (2 * window - 1) ** 2;
    const oneHot = this.constant(`one-hot/${window}`, () =>
      tf.tensor2d(relativePositionOneHot(window), [n * n, side]),
    ) as tf.Tensor2D;
    const table = this.w(`${path}/attn/relative_position_bias_table`) as tf.Tensor2D;
    const bias = tf.reshape(tf.transpose(tf.matMul(oneHot, table)), [
      1,
      stage.heads,
      n * n,
    ]) as tf.Tensor3D;
    if (shift === 0) return bias;
    const windows = (stage.resolution / window) ** 2;
    const mask = this.constant(`mask/${stage.resolution}/${window}/${shift}`, () =>
      tf.tensor3d(shiftedWindowMask(stage.resolution, window, shift), [windows, 1, n * n]),
    );
    return tf.add(bias, mask);
  }

  private windowAttention(
    windows: tf.Tensor3D,
    stage: SwinStagePlan,
    block: SwinBlockPlan,
    path: string,
  ): tf.Tensor3D {
    const [count, n, dim] = windows.shape;
    const heads = stage.heads;
    const headDim = dim / heads;
    // [rows, 3C] → [3, rows, C]: q, k and v are then contiguous blocks, which tfjs-wasm slices
    // with one copy (slicing columns of the activations, or of the fused weight, is far slower).
    const qkv = this.linear(windows, `${path}/attn/qkv`);
    const parts = tf.transpose(tf.reshape(qkv, [count * n, 3, dim]), [1, 0, 2]);
    const split = (part: number, perm: number[]) =>
      tf.reshape(
        tf.transpose(
          tf.reshape(tf.slice(parts, [part, 0, 0], [1, -1, -1]), [count, n, heads, headDim]),
          perm,
        ),
        perm[2] === 1 ? [count * heads, n, headDim] : [count * heads, headDim, n],
      ) as tf.Tensor3D;
    const query = tf.mul(split(0, [0, 2, 1, 3]), headDim ** -0.5);
    const keyT = split(1, [0, 2, 3, 1]);
    const value = split(2, [0, 2, 1, 3]);
    const positionBias = this.attentionBias(stage, block, path);
    const windowsPerImage = positionBias.shape[0];
    const scores = tf.add(
      tf.reshape(tf.matMul(query, keyT), [count / windowsPerImage, windowsPerImage, heads, n * n]),
      positionBias,
    );
    const probs = tf.softmax(tf.reshape(scores, [count * heads, n, n]));
    const context = tf.reshape(tf.matMul(probs, value), [count, heads, n, headDim]);
    const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [count, n, dim]) as tf.Tensor3D;
    return this.linear(merged, `${path}/attn/proj`);
  }

  private swinBlock(
    x: tf.Tensor3D,
    stage: SwinStagePlan,
    block: SwinBlockPlan,
    path: string,
    training: boolean,
  ): tf.Tensor3D {
    const [batch, tokens, dim] = x.shape;
    const side = stage.resolution;
    const { window, shift } = block;
    let h = tf.reshape(this.norm(x, `${path}/norm1`, this.plan.config.layerNormEpsilon), [
      batch,
      side,
      side,
      dim,
    ]) as tf.Tensor4D;
    if (shift > 0) h = roll2d(h, -shift);
    const attended = this.windowAttention(windowPartition(h, window), stage, block, path);
    let back = windowReverse(attended, window, side, side);
    if (shift > 0) back = roll2d(back, shift);
    const drop = (t: tf.Tensor3D) => this.dropPath(t, block.dropPath, training);
    const y = tf.add(x, drop(tf.reshape(back, [batch, tokens, dim]) as tf.Tensor3D)) as tf.Tensor3D;
    const hidden = gelu(
      this.linear(
        this.norm(y, `${path}/norm2`, this.plan.config.layerNormEpsilon),
        `${path}/mlp/fc1`,
      ),
    );
    const mlpOut = dropout(
      this.linear(hidden, `${path}/mlp/fc2`),
      this.plan.config.mlpDropout,
      this.rng,
      training,
    );
    return tf.add(y, drop(mlpOut)) as tf.Tensor3D;
  }

  /** Swin's patch merging: each 2×2 group of tokens, concatenated as x0, x1, x2, x3 (row parity first), LayerNorm, Linear 4C → 2C. */
  private patchMerging(x: tf.Tensor3D, stage: SwinStagePlan, path: string): tf.Tensor3D {
    const [batch, , dim] = x.shape;
    const half = stage.resolution / 2;
    // [B·H/2, dh, W/2, (dw, C)] → [B·H/2·W/2, dh, dw, C] → [.., dw, dh, C]: index dw·2 + dh.
    const rows = tf.reshape(x, [batch * half, 2, half, 2 * dim]);
    const groups = tf.reshape(tf.transpose(rows, [0, 2, 1, 3]), [batch * half * half, 2, 2, dim]);
    const merged = tf.reshape(tf.transpose(groups, [0, 2, 1, 3]), [
      batch,
      half * half,
      4 * dim,
    ]) as tf.Tensor3D;
    return this.linear(
      this.norm(merged, `${path}/norm`, TORCH_LN_EPSILON),
      `${path}/reduction`,
      false,
    );
  }

  /** Stochastic depth: drops a residual branch for whole clips, scaling the kept ones. */
  private dropPath(x: tf.Tensor3D, rate: number, training: boolean): tf.Tensor3D {
    if (!training || rate <= 0) return x;
    const keep = 1 - rate;
    const batch = x.shape[0];
    const mask = Array.from({ length: batch }, () => (this.rng.next() < keep ? 1 / keep : 0));
    return tf.mul(x, tf.tensor3d(mask, [batch, 1, 1]));
  }

  private checkInput(logMel: tf.Tensor): void {
    const { melBins, frames } = this.plan;
    const [batch, length, mels, channels] = logMel.shape;
    if (logMel.rank !== 4 || channels !== 1 || mels !== melBins || (batch ?? 0) < 1) {
      throw new AudioEncoderInputError(
        `htsat: expected log-mel of shape [batch, frames, ${melBins}, 1], got [${logMel.shape.join(', ')}]. ` +
          `Add the trailing channel axis (tf.expandDims(x, 3)) and compute ${melBins} mel bins (the melBins the encoder was built with).`,
      );
    }
    if ((length ?? 0) < 2 || (length ?? 0) > frames) {
      throw new AudioEncoderInputError(
        `htsat: got ${length} frames, but HTS-AT takes 2 to ${frames} frames (specSize × specSize / melBins; 10 s at hop 480 for CLAP). ` +
          `Crop longer clips to ${frames} frames (the front end's windowing does this) and use at least 2 frames.`,
      );
    }
  }
}
