import type { LogMelConfig } from '../config.js';
import { AudioArgumentError, AudioDecodeError } from '../errors.js';
import { clipWindows, windowClip, type ClipWindowOptions, type WindowSpan } from '../windows.js';
import {
  measureAudio,
  streamAudio,
  type AudioLength,
  type StreamAudioOptions,
} from './decode-stream.js';
import { resampledLength, StreamResampler } from './resample-stream.js';

/** One analysis window of a clip: where it lies and its samples, fitted to one window length. */
export interface ClipWindow {
  readonly span: WindowSpan;
  readonly samples: Float32Array;
}

/** The preset fields a streamed read needs: the rate, the resampler and the windowing. */
export type StreamWindowConfig = Pick<
  LogMelConfig,
  'sampleRate' | 'resampler' | 'clipSeconds' | 'padMode'
>;

/**
 * Cuts a stream of samples (at the rate `spans` are in) into windows as they complete, holding
 * only the samples from the next window's start on: at most one window and one chunk.
 */
export class WindowCutter {
  private held = new Float32Array(0);
  /** Clip sample index of `held[0]`. */
  private offset = 0;
  private seen = 0;
  private nextSpan = 0;

  constructor(
    /** The clip's length in samples: the stream must deliver exactly this many. */
    readonly numSamples: number,
    readonly sampleRate: number,
    readonly config: Pick<LogMelConfig, 'clipSeconds' | 'padMode'>,
    readonly spans: readonly WindowSpan[],
  ) {}

  /** Adds samples; returns the windows now complete, in order. */
  push(samples: Float32Array): ClipWindow[] {
    this.seen += samples.length;
    if (this.seen > this.numSamples)
      throw new AudioArgumentError(
        `WindowCutter: the stream delivered ${this.seen} samples, more than the ${this.numSamples} it was measured at`,
      );
    const keepFrom = this.spans[this.nextSpan]?.start ?? this.seen;
    const drop = Math.min(Math.max(0, keepFrom - this.offset), this.held.length + samples.length);
    const held = new Float32Array(this.held.length + samples.length - drop);
    if (drop < this.held.length) {
      held.set(this.held.subarray(drop));
      held.set(samples, this.held.length - drop);
    } else held.set(samples.subarray(drop - this.held.length));
    this.held = held;
    this.offset += drop;
    const out: ClipWindow[] = [];
    for (let span = this.spans[this.nextSpan]; span !== undefined && span.end <= this.seen;) {
      const local = { start: span.start - this.offset, end: span.end - this.offset };
      out.push({ span, samples: windowClip(this.held, local, this.sampleRate, this.config) });
      span = this.spans[++this.nextSpan];
    }
    return out;
  }

  /** Checks the stream delivered the whole clip (every window has been returned). */
  end(): void {
    if (this.seen !== this.numSamples || this.nextSpan !== this.spans.length)
      throw new AudioArgumentError(
        `WindowCutter: the stream delivered ${this.seen} of the ${this.numSamples} samples it was measured at`,
      );
  }
}

/** A file read window by window: its length at the preset's rate, its windows, and a reader. */
export interface AudioWindows {
  /** The clip's length in samples at the preset's rate (after resampling). */
  readonly numSamples: number;
  /** The preset's rate, which `spans` are in. */
  readonly sampleRate: number;
  /** The windows {@link AudioWindows.windows} yields, as `clipWindows` places them. */
  readonly spans: readonly WindowSpan[];
  /** Decodes, resamples and cuts the file again, yielding each window as it completes. */
  windows(): AsyncGenerator<ClipWindow>;
}

/**
 * Reads a file window by window in bounded memory: measures it (`measureAudio`), places the
 * windows `clipWindows` gives for its length at `config.sampleRate`, then streams it — decode
 * (`streamAudio`), resample with the preset's resampler (`StreamResampler`), cut — so that at
 * most a window, a chunk and the resampler's reach are held, whatever the file's length. Each
 * window holds exactly the samples `windowClip` cuts from the whole decoded, resampled clip.
 *
 * @param input a file path (Node only), or the file's bytes
 * @param options `offset` or `rng` for a single window (as `clipWindows`), `name` for messages,
 *   `chunkBytes` (as `streamAudio`), `length` when `measureAudio` was already asked (not measured again)
 * @throws AudioDecodeError for a bad file; AudioArgumentError for an offset outside the clip
 */
export async function readAudioWindows(
  input: string | Uint8Array,
  config: StreamWindowConfig,
  options: ClipWindowOptions & StreamAudioOptions & { length?: AudioLength } = {},
): Promise<AudioWindows> {
  const { name, chunkBytes, length, ...placement } = options;
  const named = {
    ...(name === undefined ? {} : { name }),
    ...(chunkBytes === undefined ? {} : { chunkBytes }),
  };
  const measured = length ?? (await measureAudio(input, named));
  const rate = config.sampleRate;
  const numSamples = resampledLength(measured.frames, measured.sampleRate, rate);
  const spans = clipWindows(numSamples, rate, config, placement);
  const label = name ?? (typeof input === 'string' ? input : '<buffer>');
  async function* windows(): AsyncGenerator<ClipWindow> {
    const cutter = new WindowCutter(numSamples, rate, config, spans);
    let resampler: StreamResampler | undefined;
    let frames = 0;
    for await (const chunk of streamAudio(input, named)) {
      frames += chunk.samples.length;
      if (frames > measured.frames)
        throw new AudioDecodeError(
          label,
          `it decodes to more than the ${measured.frames} sample frames its header declares`,
        );
      if (chunk.sampleRate !== measured.sampleRate)
        throw new AudioDecodeError(
          label,
          `the stream's rate changes from ${measured.sampleRate} Hz to ${chunk.sampleRate} Hz`,
        );
      resampler ??= new StreamResampler(chunk.sampleRate, rate, config.resampler ?? 'kaiser');
      yield* cutter.push(resampler.push(chunk.samples));
    }
    if (resampler !== undefined) yield* cutter.push(resampler.end());
    cutter.end();
  }
  return { numSamples, sampleRate: rate, spans, windows };
}
