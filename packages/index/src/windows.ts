import { clipWindows, windowClip, type LogMelConfig } from '@clapjs/audio';

/** One window of a file: where it lies (seconds) and its samples, fitted to one window length. */
export interface FileWindow {
  readonly start: number;
  readonly end: number;
  readonly samples: Float32Array;
}

/**
 * The windows of a decoded file (samples at `config.sampleRate`) that get one row each:
 * `@clapjs/audio`'s deterministic `clipWindows` (one window for a clip no longer than
 * `clipSeconds`, else the fewest evenly spaced windows that cover it), each fitted by the
 * preset's `padMode`. The same file always gives the same windows.
 */
export function fileWindows(samples: Float32Array, config: LogMelConfig): FileWindow[] {
  const rate = config.sampleRate;
  return clipWindows(samples.length, rate, config).map((span) => ({
    start: span.start / rate,
    end: span.end / rate,
    samples: windowClip(samples, span, rate, config),
  }));
}
