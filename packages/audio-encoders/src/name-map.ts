import { architecture, parameterShapes } from './architecture.js';
import type { AudioEncoderConfig } from './config.js';

/**
 * How a PANNs (PyTorch) tensor becomes ours:
 * - `none`: same layout (biases, BatchNorm vectors);
 * - `transpose`: nn.Linear weight `[out, in]` → `[in, out]`;
 * - `oihw-to-hwio`: nn.Conv2d weight `[out, in, kh, kw]` → `[kh, kw, in, out]`
 *   (permutation `[2, 3, 1, 0]`).
 */
export type PannsTransform = 'none' | 'transpose' | 'oihw-to-hwio';

/** One row of the map between our weight paths and PANNs' state_dict names. */
export interface PannsNameMapEntry {
  /** Our path, relative to the encoder (ClapModel prefixes `audioEncoder/`). */
  readonly path: string;
  /** The PANNs state_dict key, e.g. `conv_block1.conv1.weight`. */
  readonly pannsName: string;
  /** What to apply to the PyTorch tensor to get ours (the inverse for export). */
  readonly transform: PannsTransform;
  /** Our (tfjs) shape. */
  readonly shape: readonly number[];
  /** PANNs' (PyTorch) shape. */
  readonly pannsShape: readonly number[];
  /** False for the BatchNorm moving statistics (buffers in PyTorch). */
  readonly trainable: boolean;
}

/**
 * PANNs state_dict keys with no counterpart here: the fixed STFT / mel front end (clapjs computes
 * log-mel in @clapjs/audio), SpecAugment, and BatchNorm's step counters.
 */
export const PANNS_IGNORED_KEYS: readonly RegExp[] = [
  /^spectrogram_extractor\./,
  /^logmel_extractor\./,
  /\.num_batches_tracked$/,
];

function transformOf(shape: readonly number[]): PannsTransform {
  if (shape.length === 4) return 'oihw-to-hwio';
  if (shape.length === 2) return 'transpose';
  return 'none';
}

function pannsShapeOf(shape: readonly number[], transform: PannsTransform): number[] {
  if (transform === 'oihw-to-hwio') {
    const [kh, kw, cin, cout] = shape as [number, number, number, number];
    return [cout, cin, kh, kw];
  }
  if (transform === 'transpose') return [shape[1] as number, shape[0] as number];
  return [...shape];
}

/**
 * The map from every weight of an encoder to its PANNs state_dict name, for importing or
 * exporting PyTorch (safetensors) weights. At width 1 the shapes of cnn6/cnn10/cnn14 equal
 * PANNs' Cnn6/Cnn10/Cnn14 (`fc_audioset.*` only when `classes` is set). cnn-small follows the
 * same scheme but has no PANNs counterpart.
 * @example pannsNameMap({ name: 'cnn14' })[1] // { path: 'bn0/bias', pannsName: 'bn0.bias', ... }
 */
export function pannsNameMap(config: AudioEncoderConfig, melBins = 64): PannsNameMapEntry[] {
  return parameterShapes(architecture(config, melBins)).map(({ path, shape, trainable }) => {
    const transform = transformOf(shape);
    return {
      path,
      pannsName: path.replaceAll('/', '.'),
      transform,
      shape,
      pannsShape: pannsShapeOf(shape, transform),
      trainable,
    };
  });
}
