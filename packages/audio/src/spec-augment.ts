import type { Rng } from '@clapjs/core';
import { AudioArgumentError } from './errors.js';
import type { LogMel } from './log-mel.js';

/** Options for {@link specAugment} (torchaudio TimeMasking / FrequencyMasking semantics). */
export interface SpecAugmentOptions {
  /** How many time masks to apply (default 2). */
  timeMasks?: number;
  /** The widest time mask in frames; each width is uniform in [0, this] (default 16). */
  maxTimeWidth?: number;
  /** How many frequency masks to apply (default 2). */
  freqMasks?: number;
  /** The widest frequency mask in mel bins (default 8). */
  maxFreqWidth?: number;
  /** The value written into masked cells: a number, or 'mean' (the spectrogram's mean, the default). */
  value?: number | 'mean';
}

function count(label: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 0)
    throw new AudioArgumentError(`specAugment: ${label} must be a non-negative integer, got ${v}`);
  return v;
}

/**
 * SpecAugment's time and frequency masks on a copy of a log-mel spectrogram (the input is not
 * changed). Each mask draws a width w uniformly in [0, max] and a start uniformly in
 * [0, size − w], as torchaudio's mask_along_axis; the same Rng state gives the same masks.
 */
export function specAugment(logMel: LogMel, options: SpecAugmentOptions, rng: Rng): LogMel {
  const timeMasks = count('timeMasks', options.timeMasks, 2);
  const freqMasks = count('freqMasks', options.freqMasks, 2);
  const maxTime = Math.min(count('maxTimeWidth', options.maxTimeWidth, 16), logMel.frames);
  const maxFreq = Math.min(count('maxFreqWidth', options.maxFreqWidth, 8), logMel.melBins);
  const { frames, melBins } = logMel;
  const data = logMel.data.slice();
  let value: number;
  if (options.value === undefined || options.value === 'mean') {
    let sum = 0;
    for (let i = 0; i < data.length; i++) sum += data[i] as number;
    value = data.length > 0 ? sum / data.length : 0;
  } else if (Number.isFinite(options.value)) value = options.value;
  else
    throw new AudioArgumentError(
      `specAugment: value must be a finite number or 'mean', got ${String(options.value)}`,
    );

  const span = (size: number, max: number): [number, number] => {
    const width = Math.floor(rng.next() * (max + 1));
    return [Math.floor(rng.next() * (size - width + 1)), width];
  };
  for (let i = 0; i < timeMasks; i++) {
    const [start, width] = span(frames, maxTime);
    data.fill(value, start * melBins, (start + width) * melBins);
  }
  for (let i = 0; i < freqMasks; i++) {
    const [start, width] = span(melBins, maxFreq);
    for (let t = 0; t < frames; t++)
      data.fill(value, t * melBins + start, t * melBins + start + width);
  }
  return { data, frames, melBins };
}
