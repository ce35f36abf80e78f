import { z } from '@clapjs/core';

const rate = (what: string, fallback: number) =>
  z
    .number()
    .min(0, `${what} must be in [0, 1)`)
    .lt(1, `${what} must be in [0, 1)`)
    .default(fallback);

/** BatchNorm settings (PyTorch defaults), shared by every encoder of this package. */
export const batchNormConfig = {
  /** BatchNorm moving-average momentum, PyTorch semantics (weight of the new batch). */
  bnMomentum: z
    .number()
    .gt(0, 'bnMomentum must be in (0, 1]')
    .max(1, 'bnMomentum must be in (0, 1]')
    .default(0.1),
  /** BatchNorm epsilon. */
  bnEpsilon: z.number().gt(0, 'bnEpsilon must be > 0').default(1e-5),
};

// Shared by every encoder of the CNN family: dropout and BatchNorm settings.
const common = {
  /** Dropout before and after fc1 (PANNs: 0.5). */
  dropout: rate('dropout', 0.5),
  /** Dropout after each conv block (PANNs: 0.2). */
  blockDropout: rate('blockDropout', 0.2),
  ...batchNormConfig,
};

/** Config of `cnn6`, `cnn10` and `cnn14` (the PANN CNNs). */
export const pannConfigSchema = z.strictObject({
  /** Multiplies every channel count and fc1's size; 1 gives PANNs' exact layer shapes. */
  width: z.number().gt(0, 'width must be > 0').max(8, 'width must be at most 8').default(1),
  /** Size of the optional classification head (PANNs: 527 AudioSet classes); none by default. */
  classes: z.int('classes must be an integer').positive('classes must be > 0').optional(),
  ...common,
});

/** Config of `cnn-small`, the fast encoder for CPU training. */
export const smallConfigSchema = z.strictObject({
  /** Output channels of each block (one 3×3 conv + BatchNorm + ReLU + 2×2 average pooling). */
  channels: z
    .array(z.int('channels must be integers').positive('channels must be > 0'))
    .min(1, 'channels needs at least one block')
    .max(6, 'channels allows at most 6 blocks')
    .default([16, 32, 64, 128]),
  /**
   * Average pooling of the log-mel over (time, frequency) after bn0, before the first block: a
   * 2×2 stem quarters the cost of every layer (most of a CPU step is the full-resolution block).
   */
  inputPool: z
    .tuple([
      z.int('inputPool must be integers').min(1, 'inputPool must be ≥ 1'),
      z.int('inputPool must be integers').min(1, 'inputPool must be ≥ 1'),
    ])
    .default([2, 2]),
  /** Size of the output features (fc1). */
  outputDim: z.int('outputDim must be an integer').positive('outputDim must be > 0').default(256),
  ...common,
  dropout: rate('dropout', 0.2),
  blockDropout: rate('blockDropout', 0),
});

/** A validated `cnn6` / `cnn10` / `cnn14` config. */
export type PannConfig = z.output<typeof pannConfigSchema>;
/** A validated `cnn-small` config. */
export type SmallConfig = z.output<typeof smallConfigSchema>;
/** The plugin names of this package. */
export type EncoderName = 'cnn6' | 'cnn10' | 'cnn14' | 'cnn-small';
/** Any config this package accepts, with its plugin name; omitted keys take their defaults. */
export type AudioEncoderConfig =
  | ({ readonly name: 'cnn6' | 'cnn10' | 'cnn14' } & Partial<z.input<typeof pannConfigSchema>>)
  | ({ readonly name: 'cnn-small' } & Partial<z.input<typeof smallConfigSchema>>);
