import type { Rng } from '@clapjs/core';
import { AudioArgumentError } from './errors.js';

/** How {@link cropOrPad} fits a clip to a length. */
export type CropMode =
  'random-crop' | 'center-crop' | 'repeat-pad' | 'tile-cut' | 'zero-pad' | 'fit';

const MODES: readonly CropMode[] = [
  'random-crop',
  'center-crop',
  'repeat-pad',
  'tile-cut',
  'zero-pad',
  'fit',
];

function repeatPad(samples: Float32Array, length: number): Float32Array {
  // laion_clap's 'repeatpad': tile int(max_len / len) whole copies, then zero-pad the rest.
  const out = new Float32Array(length);
  const copies = Math.floor(length / samples.length);
  for (let c = 0; c < copies; c++) out.set(samples, c * samples.length);
  return out;
}

function tileCut(samples: Float32Array, length: number): Float32Array {
  // msclap's load_audio_into_tensor: repeat ceil(length / n) times, then cut to length (no zeros).
  const out = new Float32Array(length);
  for (let at = 0; at < length; at += samples.length)
    out.set(samples.subarray(0, Math.min(samples.length, length - at)), at);
  return out;
}

function zeroPad(samples: Float32Array, length: number): Float32Array {
  const out = new Float32Array(length);
  out.set(samples);
  return out;
}

/**
 * Fits a mono clip to exactly `length` samples. Clips of the right length come back as a copy.
 * - `random-crop`: a uniformly placed window (needs `rng`); shorter clips are zero-padded.
 * - `center-crop`: the middle window; shorter clips are zero-padded.
 * - `repeat-pad`: shorter clips are tiled floor(length / n) times then zero-padded (laion_clap's
 *   "repeatpad"); longer clips are cut to their first `length` samples.
 * - `tile-cut`: shorter clips are tiled until `length` is filled, the last copy cut (msclap);
 *   longer clips are cut to their first `length` samples.
 * - `zero-pad`: zeros appended; longer clips are cut to their first `length` samples.
 * - `fit`: the training default: random crop (center crop without `rng`) when longer,
 *   repeat-pad when shorter.
 *
 * @throws AudioArgumentError for an empty clip, a bad length, an unknown mode, or random-crop without rng
 */
export function cropOrPad(
  samples: Float32Array,
  length: number,
  mode: CropMode,
  rng?: Rng,
): Float32Array {
  if (!MODES.includes(mode))
    throw new AudioArgumentError(
      `cropOrPad: mode must be one of ${MODES.join(', ')}, got '${String(mode)}'`,
    );
  if (!Number.isInteger(length) || length < 1)
    throw new AudioArgumentError(`cropOrPad: length must be a positive integer, got ${length}`);
  if (samples.length === 0)
    throw new AudioArgumentError(
      'cropOrPad: the clip is empty (0 samples); decode or generate audio first',
    );
  if (mode === 'random-crop' && !rng)
    throw new AudioArgumentError(
      "cropOrPad: 'random-crop' needs an Rng (pass one, or use 'center-crop')",
    );
  const n = samples.length;
  if (n === length) return samples.slice();
  if (n > length) {
    const random = mode === 'random-crop' || (mode === 'fit' && rng !== undefined);
    const start = random
      ? (rng as Rng).int(n - length + 1)
      : mode === 'center-crop' || mode === 'fit'
        ? Math.floor((n - length) / 2)
        : 0;
    return samples.slice(start, start + length);
  }
  if (mode === 'tile-cut') return tileCut(samples, length);
  return mode === 'repeat-pad' || mode === 'fit'
    ? repeatPad(samples, length)
    : zeroPad(samples, length);
}
