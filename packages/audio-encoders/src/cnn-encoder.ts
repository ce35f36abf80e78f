import * as tf from '@tensorflow/tfjs-core';
import {
  ClapError,
  ConfigError,
  type AudioEncoder,
  type CallOptions,
  type NamedVariable,
  type Rng,
} from '@clapjs/core';
import { dense, dropout, Params } from '@clapjs/layers';
import {
  architecture,
  minimumInput,
  parameterShapes,
  type ArchitectureSpec,
} from './architecture.js';
import { avgPool2d } from './avg-pool.js';
import { BatchNorm } from './batch-norm.js';
import type { AudioEncoderConfig } from './config.js';
import { conv2d } from './conv2d.js';

/** The input of an audio encoder does not have the shape it needs. */
export class AudioEncoderInputError extends ClapError {
  constructor(message: string) {
    super('AUDIO_ENCODER_INPUT_INVALID', message);
  }
}

interface Block {
  readonly kernels: tf.Variable[];
  readonly norms: BatchNorm[];
  readonly pool: readonly [number, number];
}

/** What {@link CnnAudioEncoder.forward} returns. */
export interface CnnOutputs {
  /** The features `[batch, outputDim]`: fc1 + ReLU, after dropout when training. */
  readonly embedding: tf.Tensor2D;
  /** Sigmoid class scores `[batch, classes]` from fc_audioset (PANNs' clipwise_output), if configured. */
  readonly clipwise?: tf.Tensor2D;
}

/**
 * The PANN CNN family (cnn6, cnn10, cnn14) and cnn-small, as one implementation:
 * bn0 over mel bins → [average pooling, cnn-small only] → conv blocks (k×k conv + BatchNorm + ReLU, ×1 or ×2, then 2×2 average
 * pooling and dropout) → mean over frequency → max + mean over time → dropout → fc1 + ReLU →
 * dropout. Input `[batch, frames, melBins, 1]` (time × frequency, as PANNs).
 */
export class CnnAudioEncoder implements AudioEncoder<AudioEncoderConfig> {
  readonly name: string;
  readonly outputDim: number;
  /** The resolved layer plan (channels, kernels, pooling, dropout). */
  readonly spec: ArchitectureSpec;
  private readonly config: AudioEncoderConfig;
  private readonly params: Params;
  private readonly rng: Rng;
  private readonly bn0: BatchNorm;
  private readonly blocks: Block[];
  private readonly fc1: { w: tf.Variable; b: tf.Variable };
  private readonly head: { w: tf.Variable; b: tf.Variable } | undefined;

  /**
   * @param config a config of this package (validated here; omitted keys take their defaults)
   * @param context the mel-bin count of the input and the seeded generator for weights and dropout
   */
  constructor(
    config: AudioEncoderConfig,
    context: { readonly melBins: number; readonly rng: Rng },
  ) {
    this.spec = architecture(config, context.melBins);
    const min = minimumInput(this.spec);
    if (this.spec.melBins < min.melBins) {
      throw new ConfigError(
        'melBins',
        `${config.name} has ${this.spec.blocks.length} pooling blocks and needs at least ${min.melBins} mel bins, got ${this.spec.melBins}. ` +
          `Use more mel bins (64 is PANNs' setting) or an encoder with fewer blocks.`,
      );
    }
    this.config = config;
    this.name = config.name;
    this.outputDim = this.spec.fc1;
    this.rng = context.rng.fork('dropout');
    this.params = new Params('', context.rng.fork('weights'));
    const bn = { momentum: this.spec.bnMomentum, epsilon: this.spec.bnEpsilon };
    this.bn0 = new BatchNorm(this.params.child('bn0'), this.spec.melBins, bn);
    let inChannels = 1;
    this.blocks = this.spec.blocks.map((block, b) => {
      const p = this.params.child(`conv_block${b + 1}`);
      const kernels: tf.Variable[] = [];
      for (let c = 1; c <= block.convs; c++) {
        const k = block.kernel;
        // PANNs' init_layer: Xavier uniform over the conv's fan-in and fan-out.
        const init = {
          kind: 'glorot',
          fanIn: inChannels * k * k,
          fanOut: block.channels * k * k,
        } as const;
        kernels.push(
          p.child(`conv${c}`).weight('weight', [k, k, inChannels, block.channels], init),
        );
        inChannels = block.channels;
      }
      const norms = kernels.map((_, c) => new BatchNorm(p.child(`bn${c + 1}`), block.channels, bn));
      return { kernels, norms, pool: block.pool };
    });
    this.fc1 = this.linear('fc1', inChannels, this.spec.fc1);
    this.head =
      this.spec.classes === undefined
        ? undefined
        : this.linear('fc_audioset', this.spec.fc1, this.spec.classes);
    this.checkShapes();
  }

  /** Maps log-mel `[batch, frames, melBins, 1]` to features `[batch, outputDim]`. */
  encode(logMel: tf.Tensor4D, options: CallOptions): tf.Tensor2D {
    return this.forward(logMel, options, false).embedding;
  }

  /**
   * The embedding and, with `classify` and a configured head, PANNs' clipwise output
   * (sigmoid(fc_audioset(fc1 features)), computed before the last dropout as PANNs does).
   */
  forward(logMel: tf.Tensor4D, options: CallOptions, classify = true): CnnOutputs {
    this.checkInput(logMel);
    const { training } = options;
    return tf.tidy(() => {
      // bn0 normalises each mel bin: with a single channel, mel bins are the last axis of [B, T, M].
      const [batch, frames, mels] = logMel.shape;
      let x = tf.reshape(this.bn0.apply(tf.reshape(logMel, [batch, frames, mels]), training), [
        batch,
        frames,
        mels,
        1,
      ]) as tf.Tensor4D;
      if (this.spec.inputPool[0] > 1 || this.spec.inputPool[1] > 1)
        x = avgPool2d(x, this.spec.inputPool);
      for (const block of this.blocks) {
        block.kernels.forEach((kernel, i) => {
          x = (block.norms[i] as BatchNorm).apply(conv2d(x, kernel as tf.Tensor4D), training, true);
        });
        if (block.pool[0] > 1 || block.pool[1] > 1) x = avgPool2d(x, block.pool);
        x = dropout(x, this.spec.blockDropout, this.rng, training);
      }
      const overFrequency = tf.mean(x, 2);
      let pooled: tf.Tensor2D = tf.add(tf.max(overFrequency, 1), tf.mean(overFrequency, 1));
      pooled = dropout(pooled, this.spec.dropout, this.rng, training);
      const hidden = tf.relu(dense(pooled, this.fc1.w as tf.Tensor2D, this.fc1.b as tf.Tensor1D));
      const embedding = dropout(hidden, this.spec.dropout, this.rng, training);
      if (!classify || this.head === undefined) return { embedding };
      const clipwise = tf.sigmoid(
        dense(hidden, this.head.w as tf.Tensor2D, this.head.b as tf.Tensor1D),
      );
      return { embedding, clipwise };
    });
  }

  /** The config this encoder was built from (rebuilds it exactly, with the same seed). */
  getConfig(): AudioEncoderConfig {
    return { ...this.config };
  }

  /** Every weight, trainable or not (BatchNorm moving statistics), paths as PANNs' state_dict. */
  variables(): NamedVariable[] {
    return this.params.variables();
  }

  /** Frees every weight. */
  /** Moves the dropout stream onto its fork labelled `label` (core's `Part.reseed`). */
  reseed(label: string): void {
    this.rng.reseed(label);
  }

  dispose(): void {
    this.params.dispose();
  }

  private linear(name: string, inDim: number, outDim: number): { w: tf.Variable; b: tf.Variable } {
    const p = this.params.child(name);
    return {
      w: p.weight('weight', [inDim, outDim], { kind: 'glorot', fanIn: inDim, fanOut: outDim }),
      b: p.weight('bias', [outDim], { kind: 'zeros' }),
    };
  }

  // The builder and parameterShapes must never drift apart: the count test relies on it.
  private checkShapes(): void {
    const expected = parameterShapes(this.spec).map((p) => `${p.path}:${p.shape.join('x')}`);
    const actual = this.params.variables().map((v) => `${v.path}:${v.variable.shape.join('x')}`);
    if (expected.join() !== actual.join())
      throw new Error(
        `CnnAudioEncoder: weights ${actual.join()} differ from the plan ${expected.join()}`,
      );
  }

  private checkInput(logMel: tf.Tensor): void {
    const min = minimumInput(this.spec);
    const [batch, frames, mels, channels] = logMel.shape;
    if (logMel.rank !== 4 || channels !== 1 || mels !== this.spec.melBins) {
      throw new AudioEncoderInputError(
        `${this.name}: expected log-mel of shape [batch, frames, ${this.spec.melBins}, 1], got [${logMel.shape.join(', ')}]. ` +
          `Add the trailing channel axis (tf.expandDims(x, 3)) and compute ${this.spec.melBins} mel bins (the melBins the encoder was built with).`,
      );
    }
    if ((batch ?? 0) < 1 || (frames ?? 0) < min.frames || mels < min.melBins) {
      throw new AudioEncoderInputError(
        `${this.name}: got ${batch} clip(s) of ${frames} frames × ${mels} mel bins, but its ${this.spec.blocks.length} pooling blocks need ` +
          `at least one clip of ${min.frames} frames × ${min.melBins} mel bins. Use longer clips (or more mel bins), or an encoder with fewer blocks.`,
      );
    }
  }
}
