import type { LogMelConfig } from './config.js';
import { AudioArgumentError } from './errors.js';
import type { ResamplePlan } from './resample-plan.js';
import { resampleTorchaudio } from './resample-torchaudio.js';

/** Which resampler {@link resample} runs. */
export type ResampleMethod = 'kaiser' | 'torchaudio';

/** Options for {@link resample}. */
export interface ResampleOptions {
  /**
   * 'kaiser' (the default: Kaiser-windowed sinc, 32 zero crossings, cutoff 0.92, stopband
   * ≈ −100 dB) or 'torchaudio' (torchaudio's Hann-windowed sinc, width 6, rolloff 0.99, as the
   * published CLAP pipelines resample: {@link resampleTorchaudio}).
   */
  method?: ResampleMethod;
}

/** Zero crossings of the sinc on each side of the centre tap (at the lower of the two rates). */
const ZERO_CROSSINGS = 32;
/** Kaiser shape: beta 10 gives a stopband near -100 dB. */
const KAISER_BETA = 10;
/** The cutoff as a fraction of the lower Nyquist rate; the transition band sits below Nyquist. */
const ROLLOFF = 0.92;
/** Kernel table entries per zero crossing; linear interpolation between them is ~1e-6 exact. */
const OVERSAMPLE = 1024;

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for x ≤ 30). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200 && term > sum * 1e-17; k++) {
    term *= q / (k * k);
    sum += term;
  }
  return sum;
}

let kernelTable: Float64Array | undefined;

/** h(x) = ROLLOFF · sinc(ROLLOFF · x) · kaiser(x / ZERO_CROSSINGS), sampled for x in [0, ZERO_CROSSINGS]. */
function kernel(): Float64Array {
  if (kernelTable) return kernelTable;
  const n = ZERO_CROSSINGS * OVERSAMPLE;
  const table = new Float64Array(n + 2); // one extra zero so interpolation never reads past the end
  const norm = besselI0(KAISER_BETA);
  for (let i = 0; i <= n; i++) {
    const x = i / OVERSAMPLE;
    const r = x / ZERO_CROSSINGS;
    const window = besselI0(KAISER_BETA * Math.sqrt(Math.max(0, 1 - r * r))) / norm;
    const arg = Math.PI * ROLLOFF * x;
    table[i] = ROLLOFF * (x === 0 ? 1 : Math.sin(arg) / arg) * window;
  }
  kernelTable = table;
  return table;
}

/**
 * Resamples mono audio between any two rates. By default with a band-limited Kaiser-windowed sinc
 * (32 zero crossings, cutoff at 0.92 of the lower Nyquist rate, stopband ≈ −100 dB).
 * Content above the new Nyquist rate is removed rather than aliased. The output has
 * `ceil(samples.length · toRate / fromRate)` samples; samples outside the input count as zero.
 *
 * @param samples mono input
 * @param fromRate the input's sample rate in Hz
 * @param toRate the wanted sample rate in Hz
 * @param options `method: 'torchaudio'` for torchaudio's resampler (integer rates only)
 */
export function resample(
  samples: Float32Array,
  fromRate: number,
  toRate: number,
  options: ResampleOptions = {},
): Float32Array {
  const method = options.method ?? 'kaiser';
  if (method === 'torchaudio') return resampleTorchaudio(samples, fromRate, toRate);
  if (method !== 'kaiser')
    throw new AudioArgumentError(
      `resample: method must be 'kaiser' or 'torchaudio', got '${String(method)}'`,
    );
  for (const [label, rate] of [
    ['fromRate', fromRate],
    ['toRate', toRate],
  ] as const) {
    if (!(Number.isFinite(rate) && rate > 0)) {
      throw new AudioArgumentError(
        `resample: ${label} must be a positive number of Hz, got ${rate}`,
      );
    }
  }
  if (fromRate === toRate) return samples.slice();
  const plan = kaiserPlan(fromRate, toRate);
  const out = new Float32Array(plan.outLength(samples.length));
  plan.fill(out, 0, out.length, samples, 0, samples.length);
  return out;
}

/** The Kaiser-windowed sinc of {@link resample} as a plan (rates already checked, unequal). */
export function kaiserPlan(fromRate: number, toRate: number): ResamplePlan {
  const table = kernel();
  const ratio = toRate / fromRate;
  // Downsampling stretches the kernel so its cutoff follows the output's Nyquist rate.
  const scale = Math.min(1, ratio);
  const halfWidth = ZERO_CROSSINGS / scale; // in input samples
  const step = scale * OVERSAMPLE; // table entries per input sample
  return {
    outLength: (n) => Math.ceil((n * toRate) / fromRate), // exact for integer rates
    reach: (j) => Math.floor(j / ratio + halfWidth) + 1,
    keepFrom: (j) => Math.max(0, Math.ceil(j / ratio - halfWidth)),
    fill(out, j0, j1, samples, offset, n) {
      for (let j = j0; j < j1; j++) {
        const t = j / ratio; // the output sample's position in input samples
        const first = Math.max(0, Math.ceil(t - halfWidth));
        const last = Math.min(n - 1, Math.floor(t + halfWidth));
        let acc = 0;
        for (let k = first; k <= last; k++) {
          const pos = Math.abs(t - k) * step;
          const i = pos | 0;
          const frac = pos - i;
          const h = (table[i] as number) + frac * ((table[i + 1] as number) - (table[i] as number));
          acc += (samples[k - offset] as number) * h;
        }
        out[j - j0] = acc * scale;
      }
    },
  };
}

/**
 * Brings audio at `fromRate` to a front end's `sampleRate` with the resampler its preset selects
 * (`config.resampler`: 'torchaudio' for the presets that reproduce published checkpoints,
 * 'kaiser' when absent). Audio already at that rate comes back as is (not copied).
 */
export function resampleFor(
  config: Pick<LogMelConfig, 'sampleRate' | 'resampler'>,
  samples: Float32Array,
  fromRate: number,
): Float32Array {
  if (fromRate === config.sampleRate) return samples;
  return resample(samples, fromRate, config.sampleRate, { method: config.resampler ?? 'kaiser' });
}
