import type { Rng } from '@clapjs/core';
import type { LogMelConfig } from './config.js';
import { cropOrPad } from './crop.js';
import { AudioArgumentError } from './errors.js';

/**
 * One analysis window of a clip: samples `[start, end)` at the rate the spans were computed
 * for. A window shorter than the preset's clip length (only when the whole clip is shorter) is
 * padded by {@link windowClip}.
 */
export interface WindowSpan {
  readonly start: number;
  readonly end: number;
}

/** The preset fields windowing reads: the window length and how short clips are filled. */
export type WindowingConfig = Pick<LogMelConfig, 'clipSeconds' | 'padMode'>;

/** Options for {@link clipWindows}: at most one of them. */
export interface ClipWindowOptions {
  /**
   * One window starting at this sample (at the `sampleRate` given to {@link clipWindows}): the
   * originals' single crop, at an offset the caller chose (e.g. to reproduce a run).
   */
  offset?: number;
  /**
   * One window at a random offset drawn from this seeded Rng, as the originals crop: uniform over
   * [0, n − L] for laion_clap / Hugging Face (`np.random.randint(0, overflow + 1)`), over
   * [0, n − L) for msclap's `tile-cut` presets (`random.randrange(overflow)`).
   */
  rng?: Rng;
}

/** Samples in one window of `config.clipSeconds` at `sampleRate`. */
export function windowLength(config: WindowingConfig, sampleRate: number): number {
  return Math.round(config.clipSeconds * sampleRate);
}

/**
 * The windows a clip of `numSamples` samples at `sampleRate` Hz is analysed in, for a preset
 * whose window is `clipSeconds` long.
 *
 * - Default (deterministic): a clip no longer than one window is one window `[0, n)`; a longer
 *   clip gets the fewest windows that cover it, ⌈n / L⌉, evenly spaced from the first sample to
 *   the last (start_i = round(i · (n − L) / (k − 1))), so the same file always gives the same
 *   windows and every sample is in at least one. The model averages their embeddings.
 * - `offset`: the single window `[offset, offset + L)` (the originals' crop, placed by the caller).
 * - `rng`: the single window at the originals' random offset.
 *
 * Spans are in samples at `sampleRate`: pass the file's own rate to bound decoding, the preset's
 * rate to cut resampled audio (what the originals do: resample the whole clip, then crop).
 *
 * @throws AudioArgumentError for an empty clip, a bad rate, both options, or an offset out of range
 */
export function clipWindows(
  numSamples: number,
  sampleRate: number,
  config: WindowingConfig,
  options: ClipWindowOptions = {},
): WindowSpan[] {
  if (!Number.isInteger(numSamples) || numSamples < 1)
    throw new AudioArgumentError(
      `clipWindows: numSamples must be a positive integer, got ${numSamples}; decode the audio first`,
    );
  if (!(sampleRate > 0 && Number.isFinite(sampleRate)))
    throw new AudioArgumentError(
      `clipWindows: sampleRate must be a positive number, got ${sampleRate}`,
    );
  if (options.offset !== undefined && options.rng !== undefined)
    throw new AudioArgumentError('clipWindows: pass either offset or rng, not both');
  const length = windowLength(config, sampleRate);
  const overflow = numSamples - length;
  const { offset, rng } = options;
  if (offset !== undefined) {
    const last = Math.max(0, overflow);
    if (!Number.isInteger(offset) || offset < 0 || offset > last)
      throw new AudioArgumentError(
        `clipWindows: offset ${offset} is outside the clip: a ${numSamples}-sample clip with ${length}-sample windows takes offsets 0 to ${last}`,
      );
    return [{ start: offset, end: Math.min(numSamples, offset + length) }];
  }
  if (overflow <= 0) return [{ start: 0, end: numSamples }];
  if (rng !== undefined) {
    const start = rng.int(config.padMode === 'tile-cut' ? overflow : overflow + 1);
    return [{ start, end: start + length }];
  }
  const count = Math.ceil(numSamples / length);
  return Array.from({ length: count }, (_, i) => {
    const start = Math.round((i * overflow) / (count - 1));
    return { start, end: start + length };
  });
}

/**
 * The samples of one window, fitted to exactly one window length: a full window is copied, a
 * short one (the whole clip was shorter) is filled by the preset's `padMode` (`repeat-pad` when
 * absent) — laion_clap's whole tiles then zeros, msclap's tiles cut to length, or zeros.
 */
export function windowClip(
  samples: Float32Array,
  span: WindowSpan,
  sampleRate: number,
  config: WindowingConfig,
): Float32Array {
  if (!(span.start >= 0 && span.end <= samples.length && span.end > span.start))
    throw new AudioArgumentError(
      `windowClip: span [${span.start}, ${span.end}) is not inside a ${samples.length}-sample clip`,
    );
  return cropOrPad(
    samples.subarray(span.start, span.end),
    windowLength(config, sampleRate),
    config.padMode ?? 'repeat-pad',
  );
}
