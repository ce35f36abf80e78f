/** One window of a file: where it lies (seconds) and its samples. */
export interface ClipWindow {
  readonly start: number;
  readonly end: number;
  readonly samples: Float32Array;
}

/**
 * The windows of a decoded file that get one row each. For now one window per file: the span the
 * model's front end uses (`cropOrPad(…, 'fit')` without an rng: the centre `clipSeconds` of a
 * longer file, the whole of a shorter one). This is the one place to switch to sliding windows
 * (several rows per long file; search already keeps each file's best window).
 */
export function clipWindows(
  samples: Float32Array,
  sampleRate: number,
  clipSeconds: number,
): ClipWindow[] {
  const length = Math.round(clipSeconds * sampleRate);
  const offset = samples.length > length ? Math.floor((samples.length - length) / 2) : 0;
  const used = Math.min(samples.length, length);
  return [
    {
      start: offset / sampleRate,
      end: (offset + used) / sampleRate,
      samples,
    },
  ];
}
