import * as tf from '@tensorflow/tfjs-core';
import type {
  AudioEncoder,
  AudioEncoderInput,
  AudioCallOptions,
  CallOptions,
  NamedVariable,
  Rng,
} from '@clapjs/core';
import { dense, dropout, gelu, layerNorm, Params } from '@clapjs/layers';
import { BatchNorm } from '../batch-norm.js';
import { AudioEncoderInputError } from '../cnn-encoder.js';
import { resizeTime } from './bicubic.js';
import type { HtsatConfigInput } from './config.js';
import { attentionalFeatureFusion, cropTokens } from './fusion.js';
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

/** Options of {@link HtsatAudioEncoder.forward}. */
export interface HtsatForwardOptions {
  /** Also return the patch embedding and every stage's output (for checks). */
  readonly trace?: boolean;
  /**
   * Fusion only: per clip, whether it is longer than the window (upstream's `longer` /
   * `is_longer`), i.e. whether its crops are fused in. Default: a clip is longer when its crop
   * channels differ from its whole-clip channel (the fusion front end repeats one log-mel four
   * times for a clip that is not). Give it to reproduce Hugging Face's feature extractor, which
   * marks a random clip of a batch with no long clip as longer.
   */
  readonly longer?: readonly boolean[];
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
  /** `fusion` with `fusion: true` (4-channel input), else `log-mel`. */
  readonly input: AudioEncoderInput;
  /** The resolved stage plan. */
  readonly plan: HtsatPlan;
  private readonly config: HtsatConfigInput;
  private readonly params: Params;
  private readonly weights: Map<string, tf.Variable>;
  private readonly bn0: BatchNorm;
  private readonly fusionNorms = new Map<string, BatchNorm>();
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
    this.input = this.plan.fusion ? 'fusion' : 'log-mel';
    this.rng = context.rng.fork('drop-path');
    this.params = new Params('', context.rng.fork('weights'));
    const c = this.plan.config;
    this.bn0 = new BatchNorm(this.params.child('bn0'), this.plan.melBins, {
      momentum: c.bnMomentum,
      epsilon: c.bnEpsilon,
    });
    const norms = this.plan.fusion?.batchNorms ?? [];
    const ownedByNorm = (path: string) => norms.some((n) => path.startsWith(`${n.path}/`));
    // bn0 (created above by BatchNorm) comes first in the plan; the rest is created from it,
    // except the fusion block's BatchNorms, created below.
    for (const { path, shape, trainable, init, decay, fanIn } of htsatParameters(this.plan).slice(
      4,
    )) {
      if (ownedByNorm(path)) continue;
      const initializer =
        init === 'conv'
          ? ({ kind: 'torch-default', fanIn: fanIn ?? 1 } as const)
          : init === 'normal'
            ? ({ kind: 'normal', std: 0.02 } as const) // LAION: trunc_normal(std 0.02)
            : ({ kind: init } as const);
      this.params.weight(path, shape, initializer, { trainable, decay });
    }
    for (const { path, channels } of norms) {
      const options = { momentum: c.bnMomentum, epsilon: c.bnEpsilon };
      this.fusionNorms.set(path, new BatchNorm(this.params.child(path), channels, options));
    }
    this.weights = new Map(this.params.variables().map((v) => [v.path, v.variable]));
  }

  /**
   * Maps log-mel `[batch, frames, melBins, 1]` (with fusion `[batch, frames, melBins, 4]` and
   * optionally `options.longer`, see {@link HtsatForwardOptions.longer}) to the CLAP latent
   * `[batch, outputDim]`.
   */
  encode(logMel: tf.Tensor4D, options: AudioCallOptions): tf.Tensor2D {
    return this.forward(
      logMel,
      options,
      options.longer === undefined ? {} : { longer: options.longer },
    ).embedding;
  }

  /** The latent and, with `trace`, the patch embedding and every stage's output (for checks). */
  forward(
    logMel: tf.Tensor4D,
    options: CallOptions,
    { trace = false, longer }: HtsatForwardOptions = {},
  ): HtsatOutputs {
    this.checkInput(logMel, longer);
    return tf.tidy(() => {
      const [batch, frames, mels, channels] = logMel.shape;
      const { frames: target } = this.plan;
      // Channels become clips for bn0 (its statistics span all four, as upstream's BatchNorm2d
      // over mel bins does), the time resize and the fold.
      const perChannel =
        channels === 1
          ? tf.reshape(logMel, [batch, frames, mels])
          : tf.reshape(tf.transpose(logMel, [0, 3, 1, 2]), [batch * channels, frames, mels]);
      let x3 = this.bn0.apply(perChannel as tf.Tensor3D, options.training);
      if (frames < target) x3 = resizeTime(x3, target);
      const images = this.fold(x3);
      let x: tf.Tensor3D;
      if (this.plan.fusion === null) x = this.patchEmbed(images);
      else {
        const side = this.plan.config.specSize;
        const grouped = tf.reshape(images, [batch, channels, side, side]);
        const whole = tf.reshape(tf.slice(grouped, [0, 0, 0, 0], [-1, 1, -1, -1]), [
          batch,
          side,
          side,
        ]);
        const crops = tf.reshape(tf.slice(grouped, [0, 1, 0, 0], [-1, 3, -1, -1]), [
          batch * 3,
          side,
          side,
        ]);
        x = this.fuse(
          this.patchEmbed(whole as tf.Tensor3D),
          crops as tf.Tensor3D,
          logMel,
          options.training,
          longer,
        );
      }
      x = this.norm(x, 'patch_embed/norm', TORCH_LN_EPSILON);
      const stages: tf.Tensor3D[] = trace ? [tf.keep(x)] : [];
      this.plan.stages.forEach((stage, i) => {
        stage.blocks.forEach((block, b) => {
          // A block's intermediates are freed when it ends, not with the whole encoder: a batch
          // of 16 ten-second clips otherwise outgrows the wasm heap (4 GiB).
          const input = x;
          x = tf.tidy(() =>
            this.swinBlock(input, stage, block, `layers/${i}/blocks/${b}`, options.training),
          );
        });
        if (stage.merge) x = this.patchMerging(x, stage, `layers/${i}/downsample`);
        if (trace) stages.push(tf.keep(x));
      });
      x = this.norm(x, 'norm', TORCH_LN_EPSILON);
      const embedding = tf.mean(x, 1) as tf.Tensor2D;
      return trace ? { embedding, stages } : { embedding };
    });
  }

  /** Fold: time chunk r of `[n, frames, melBins]` becomes image rows r·melBins … (r + 1)·melBins − 1: `[n, specSize, specSize]`. */
  private fold(x3: tf.Tensor3D): tf.Tensor3D {
    const [n, , mels] = x3.shape;
    const { frames: target, freqRatio } = this.plan;
    const chunks = tf.reshape(x3, [n, freqRatio, target / freqRatio, mels]);
    const side = this.plan.config.specSize;
    return tf.reshape(tf.transpose(chunks, [0, 1, 3, 2]), [n, side, side]);
  }

  /** The p×p patch convolution of `[n, specSize, specSize]` images: tokens `[n, grid², embedDim]` (before the norm). */
  private patchEmbed(images: tf.Tensor3D): tf.Tensor3D {
    const n = images.shape[0];
    const { grid } = this.plan;
    const { patchSize, embedDim } = this.plan.config;
    const image = tf.reshape(images, [n * grid, patchSize, grid, patchSize]);
    const patches = tf.reshape(tf.transpose(image, [0, 2, 1, 3]), [
      n,
      grid * grid,
      patchSize * patchSize,
    ]);
    const kernel = tf.reshape(this.w('patch_embed/proj/weight'), [
      patchSize * patchSize,
      embedDim,
    ]) as tf.Tensor2D;
    return dense(patches, kernel, this.w('patch_embed/proj/bias') as tf.Tensor1D) as tf.Tensor3D;
  }

  /**
   * Fusion (LAION's PatchEmbed with `aff_2d`): the crops' mel_conv2d tokens are fused into the
   * whole clip's tokens by the AFF block, for the longer clips only.
   */
  private fuse(
    whole: tf.Tensor3D,
    crops: tf.Tensor3D,
    logMel: tf.Tensor4D,
    training: boolean,
    longer: readonly boolean[] | undefined,
  ): tf.Tensor3D {
    const weights = {
      weight: (path: string) => this.w(path),
      batchNorm: (path: string) => this.fusionNorms.get(path) as BatchNorm,
    };
    const local = cropTokens(crops, this.plan, weights);
    if (!training) {
      // Inference: every op of the block is per clip, so fusing all and keeping the longer ones
      // equals upstream's fusing of the longer ones only (and needs no read of the input).
      const fused = attentionalFeatureFusion(whole, local, weights, false);
      const mask = longer
        ? tf.tensor3d(longer.map(Number), [longer.length, 1, 1])
        : longerMask(logMel);
      return tf.add(whole, tf.mul(mask, tf.sub(fused, whole))) as tf.Tensor3D;
    }
    // Training: the block's BatchNorms use the statistics of the longer clips only, as upstream;
    // with none, upstream marks one at random (here from the encoder's seeded stream).
    const flags = longer ? [...longer] : Array.from(longerMask(logMel).dataSync(), (v) => v > 0);
    if (!flags.some(Boolean)) flags[this.rng.int(flags.length)] = true;
    const picked = flags.flatMap((f, i) => (f ? [i] : []));
    const rows = (t: tf.Tensor3D, i: number) => tf.slice(t, [i, 0, 0], [1, -1, -1]);
    const fused = attentionalFeatureFusion(
      tf.concat(picked.map((i) => rows(whole, i))) as tf.Tensor3D,
      tf.concat(picked.map((i) => rows(local, i))) as tf.Tensor3D,
      weights,
      true,
    );
    return tf.concat(
      flags.map((f, i) =>
        f ? tf.slice(fused, [picked.indexOf(i), 0, 0], [1, -1, -1]) : rows(whole, i),
      ),
    ) as tf.Tensor3D;
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

  private checkInput(logMel: tf.Tensor, longer: readonly boolean[] | undefined): void {
    const { melBins, frames, channels: expected } = this.plan;
    const [batch, length, mels, channels] = logMel.shape;
    if (logMel.rank !== 4 || channels !== expected || mels !== melBins || (batch ?? 0) < 1) {
      const fix =
        expected === 1
          ? 'Add the trailing channel axis (tf.expandDims(x, 3))'
          : 'Build the 4 fusion channels with fusionLogMel (@clapjs/audio), channels last';
      throw new AudioEncoderInputError(
        `htsat: expected log-mel of shape [batch, frames, ${melBins}, ${expected}], got [${logMel.shape.join(', ')}]. ` +
          `${fix} and compute ${melBins} mel bins (the melBins the encoder was built with).`,
      );
    }
    if (longer !== undefined && (expected === 1 || longer.length !== batch)) {
      throw new AudioEncoderInputError(
        expected === 1
          ? 'htsat: `longer` flags were given to an encoder without fusion; drop them or build it with fusion: true.'
          : `htsat: got ${longer.length} \`longer\` flags for a batch of ${batch} clips; give one per clip.`,
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

/**
 * 1 for each clip `[batch, frames, mels, 4]` whose crop channels differ from its whole-clip channel
 * (longer than the window), else 0: `[batch, 1, 1]`.
 */
function longerMask(logMel: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => {
    const [batch, frames, mels] = logMel.shape;
    const whole = tf.slice(logMel, [0, 0, 0, 0], [-1, -1, -1, 1]);
    const crops = tf.slice(logMel, [0, 0, 0, 1], [-1, -1, -1, 3]);
    const differs = tf.max(tf.reshape(tf.abs(tf.sub(crops, whole)), [batch, frames * mels * 3]), 1);
    return tf.reshape(tf.cast(tf.greater(differs, 0), 'float32'), [batch, 1, 1]) as tf.Tensor3D;
  });
}
