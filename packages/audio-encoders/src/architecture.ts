import { ConfigError } from '@clapjs/core';
import {
  pannConfigSchema,
  smallConfigSchema,
  type AudioEncoderConfig,
  type EncoderName,
} from './config.js';

/** One conv block: `convs` × (k×k conv + BatchNorm + ReLU), then average pooling. */
export interface BlockSpec {
  readonly channels: number;
  readonly convs: 1 | 2;
  readonly kernel: 3 | 5;
  /** Average-pooling window and stride over (time, frequency); [1, 1] means none. */
  readonly pool: readonly [number, number];
}

/**
 * Everything that decides the shapes and behaviour of one encoder of the family, resolved from
 * a plugin config and the number of mel bins. cnn6/10/14 and cnn-small are all this one
 * architecture with different specs.
 */
export interface ArchitectureSpec {
  readonly name: EncoderName;
  readonly melBins: number;
  /** Average pooling of the input over (time, frequency) after bn0; [1, 1] (none) for PANNs. */
  readonly inputPool: readonly [number, number];
  readonly blocks: readonly BlockSpec[];
  /** Size of fc1, which is also the encoder's output size. */
  readonly fc1: number;
  /** Size of the classification head fc_audioset, when there is one. */
  readonly classes: number | undefined;
  readonly dropout: number;
  readonly blockDropout: number;
  readonly bnMomentum: number;
  readonly bnEpsilon: number;
}

/** One weight the encoder creates: its path, tfjs shape, and whether the optimizer updates it. */
export interface ParameterShape {
  readonly path: string;
  readonly shape: readonly number[];
  readonly trainable: boolean;
}

const PANN_CHANNELS: Record<'cnn6' | 'cnn10' | 'cnn14', readonly number[]> = {
  cnn6: [64, 128, 256, 512],
  cnn10: [64, 128, 256, 512],
  cnn14: [64, 128, 256, 512, 1024, 2048],
};

function parse<T>(
  schema: {
    safeParse(
      v: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  name: string,
  rest: unknown,
): T {
  const result = schema.safeParse(rest);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = ['audioEncoder', ...(issue?.path ?? []).map(String)].join('.');
  throw new ConfigError(
    key,
    `Invalid config at ${key} (audio-encoder "${name}"): ${issue?.message ?? 'invalid value'}.`,
  );
}

/**
 * Resolves a config of this package (validated here, defaults filled in) and the mel-bin count
 * into the layer plan every other function works from.
 * @throws ConfigError naming the offending key
 */
export function architecture(config: AudioEncoderConfig, melBins: number): ArchitectureSpec {
  if (!Number.isInteger(melBins) || melBins < 1) {
    throw new ConfigError(
      'melBins',
      `The audio encoder needs a positive integer number of mel bins, got ${melBins}.`,
    );
  }
  const { name, ...rest } = config;
  if (name === 'cnn-small') {
    const c = parse(smallConfigSchema, name, rest);
    return {
      name,
      melBins,
      inputPool: c.inputPool,
      blocks: c.channels.map((channels) => ({ channels, convs: 1, kernel: 3, pool: [2, 2] })),
      fc1: c.outputDim,
      classes: undefined,
      dropout: c.dropout,
      blockDropout: c.blockDropout,
      bnMomentum: c.bnMomentum,
      bnEpsilon: c.bnEpsilon,
    };
  }
  if (!(name in PANN_CHANNELS)) {
    throw new ConfigError(
      'audioEncoder.name',
      `Unknown audio encoder "${String(name)}"; choose cnn6, cnn10, cnn14 or cnn-small.`,
    );
  }
  const c = parse(pannConfigSchema, name, rest);
  const channels = PANN_CHANNELS[name].map((ch) => Math.max(1, Math.round(ch * c.width)));
  const blocks = channels.map((ch, i): BlockSpec => ({
    channels: ch,
    convs: name === 'cnn6' ? 1 : 2,
    kernel: name === 'cnn6' ? 5 : 3,
    // CNN14's sixth block does not pool (PANNs: pool_size=(1, 1)).
    pool: name === 'cnn14' && i === 5 ? [1, 1] : [2, 2],
  }));
  return {
    name,
    melBins,
    inputPool: [1, 1],
    blocks,
    fc1: channels[channels.length - 1] as number,
    classes: c.classes,
    dropout: c.dropout,
    blockDropout: c.blockDropout,
    bnMomentum: c.bnMomentum,
    bnEpsilon: c.bnEpsilon,
  };
}

function batchNormShapes(path: string, channels: number): ParameterShape[] {
  return [
    { path: `${path}/weight`, shape: [channels], trainable: true },
    { path: `${path}/bias`, shape: [channels], trainable: true },
    { path: `${path}/running_mean`, shape: [channels], trainable: false },
    { path: `${path}/running_var`, shape: [channels], trainable: false },
  ];
}

/**
 * Every weight of an encoder, in creation order, without allocating any: the builder creates
 * exactly these, so counting parameters of an 80 M-parameter CNN14 costs nothing.
 * Paths follow PANNs' state_dict names with `/` for `.` (see {@link pannsNameMap}); tfjs layouts:
 * conv kernels `[k, k, in, out]`, dense kernels `[in, out]`.
 */
export function parameterShapes(spec: ArchitectureSpec): ParameterShape[] {
  const shapes = batchNormShapes('bn0', spec.melBins);
  let inChannels = 1;
  spec.blocks.forEach((block, b) => {
    const prefix = `conv_block${b + 1}`;
    for (let c = 1; c <= block.convs; c++) {
      shapes.push({
        path: `${prefix}/conv${c}/weight`,
        shape: [block.kernel, block.kernel, inChannels, block.channels],
        trainable: true,
      });
      inChannels = block.channels;
    }
    for (let c = 1; c <= block.convs; c++)
      shapes.push(...batchNormShapes(`${prefix}/bn${c}`, block.channels));
  });
  shapes.push({ path: 'fc1/weight', shape: [inChannels, spec.fc1], trainable: true });
  shapes.push({ path: 'fc1/bias', shape: [spec.fc1], trainable: true });
  if (spec.classes !== undefined) {
    shapes.push({ path: 'fc_audioset/weight', shape: [spec.fc1, spec.classes], trainable: true });
    shapes.push({ path: 'fc_audioset/bias', shape: [spec.classes], trainable: true });
  }
  return shapes;
}

/** The number of parameters an encoder has: trainable only (PANNs' 80.8 M for CNN14) or all. */
export function countParameters(
  spec: ArchitectureSpec,
  options: { readonly trainableOnly?: boolean } = {},
): number {
  return parameterShapes(spec)
    .filter((p) => p.trainable || options.trainableOnly === false)
    .reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0);
}

/** The smallest (frames, melBins) the pooling stack accepts: each 2× pool (the input pool too) needs at least 2. */
export function minimumInput(spec: ArchitectureSpec): { frames: number; melBins: number } {
  const [t, f] = spec.blocks.reduce(
    ([a, b], block) => [a * block.pool[0], b * block.pool[1]],
    spec.inputPool,
  );
  return { frames: t, melBins: f };
}
