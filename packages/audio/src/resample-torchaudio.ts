import { AudioArgumentError } from './errors.js';
import type { ResamplePlan } from './resample-plan.js';

/** Options for {@link resampleTorchaudio}, named after torchaudio.functional.resample's. */
export interface TorchaudioResampleOptions {
  /** Zero crossings of the sinc kept on each side, at the lower rate (torchaudio default 6). */
  lowpassFilterWidth?: number;
  /** The cutoff as a fraction of the lower Nyquist rate (torchaudio default 0.99). */
  rolloff?: number;
}

/** One output phase: its nonzero taps, applied to input samples from `first` on. */
interface Phase {
  /** Offset of the first tap relative to k·orig − width (the kernel column of the first tap). */
  first: number;
  taps: Float64Array;
}

interface Kernel {
  orig: number;
  next: number;
  width: number;
  phases: Phase[];
}

const cache = new Map<string, Kernel>();
const MAX_CACHED = 16;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * torchaudio's `_get_sinc_resample_kernel` with method "sinc_interpolation" (a Hann-windowed
 * sinc): for output phase j and kernel column m, t = (−j/new + (m − width)/orig) · base,
 * clamped to ±lowpassFilterWidth; w = cos²(t·π / lowpassFilterWidth / 2);
 * h = sinc(π t) · w · base / orig, with base = min(orig, new) · rolloff on the gcd-reduced rates
 * and width = ⌈lowpassFilterWidth · orig / base⌉. Only the taps with |t| < lowpassFilterWidth are
 * kept (the others are 0 up to the cos²(π/2) rounding, ≤ 1e-32).
 */
function sincHannKernel(orig: number, next: number, lpw: number, rolloff: number): Kernel {
  const key = `${orig}:${next}:${lpw}:${rolloff}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const base = Math.min(orig, next) * rolloff;
  const width = Math.ceil((lpw * orig) / base);
  const columns = 2 * width + orig;
  const scale = base / orig;
  const phases: Phase[] = [];
  for (let j = 0; j < next; j++) {
    // |t| < lpw ⇔ m within width + orig·(j/new ± lpw/base); one column of margin on each side.
    const centre = width + (orig * j) / next;
    const reach = (orig * lpw) / base;
    const lo = Math.max(0, Math.floor(centre - reach) - 1);
    const hi = Math.min(columns - 1, Math.ceil(centre + reach) + 1);
    const taps = new Float64Array(hi - lo + 1);
    for (let m = lo; m <= hi; m++) {
      let t = (-j / next + (m - width) / orig) * base;
      t = Math.min(lpw, Math.max(-lpw, t));
      const window = Math.cos((t * Math.PI) / lpw / 2) ** 2;
      t *= Math.PI;
      taps[m - lo] = (t === 0 ? 1 : Math.sin(t) / t) * (window * scale);
    }
    phases.push({ first: lo, taps });
  }
  const kernel = { orig, next, width, phases };
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(key, kernel);
  return kernel;
}

/**
 * Resamples mono audio exactly as `torchaudio.functional.resample` (and `transforms.Resample`)
 * with their defaults: a Hann-windowed sinc ("sinc_interpolation"), lowpass_filter_width 6,
 * rolloff 0.99, rates reduced by their gcd, the signal zero-padded by the kernel width and
 * convolved with stride orig, output cut to ⌈new · n / orig⌉ samples. This is how msclap (and
 * the LAION and Hugging Face pipelines when they resample with torchaudio) prepare audio, so
 * presets that reproduce those models select it; {@link resample} stays the general default.
 * Computed in float64: it matches torchaudio's float64 output to ~1e-15 and its float32 output
 * within float32 rounding.
 *
 * @param samples mono input
 * @param fromRate the input's sample rate (a positive integer, Hz)
 * @param toRate the wanted sample rate (a positive integer, Hz)
 * @throws AudioArgumentError for non-integer rates or a bad option
 */
export function resampleTorchaudio(
  samples: Float32Array,
  fromRate: number,
  toRate: number,
  options: TorchaudioResampleOptions = {},
): Float32Array {
  for (const [label, rate] of [
    ['fromRate', fromRate],
    ['toRate', toRate],
  ] as const) {
    if (!(Number.isInteger(rate) && rate > 0))
      throw new AudioArgumentError(
        `resampleTorchaudio: ${label} must be a positive integer number of Hz (torchaudio's rule), got ${rate}`,
      );
  }
  if (fromRate === toRate) return samples.slice();
  const plan = torchaudioPlan(fromRate, toRate, options);
  const out = new Float32Array(plan.outLength(samples.length));
  plan.fill(out, 0, out.length, samples, 0, samples.length);
  return out;
}

/**
 * torchaudio's resampler ({@link resampleTorchaudio}) as a plan, for unequal positive integer
 * rates (checked by the caller).
 *
 * @throws AudioArgumentError for a bad option
 */
export function torchaudioPlan(
  fromRate: number,
  toRate: number,
  options: TorchaudioResampleOptions = {},
): ResamplePlan {
  const lpw = options.lowpassFilterWidth ?? 6;
  const rolloff = options.rolloff ?? 0.99;
  if (!(lpw > 0) || !(rolloff > 0 && rolloff <= 1))
    throw new AudioArgumentError(
      `resampleTorchaudio: lowpassFilterWidth must be > 0 and rolloff in (0, 1], got ${lpw} and ${rolloff}`,
    );
  const divisor = gcd(fromRate, toRate);
  const { orig, next, width, phases } = sincHannKernel(
    fromRate / divisor,
    toRate / divisor,
    lpw,
    rolloff,
  );
  // Kernel column m of output index reads input sample k·orig + m − width (zeros outside).
  const startOf = (index: number): { start: number; taps: Float64Array } => {
    const k = Math.floor(index / next);
    const phase = phases[index - k * next] as Phase;
    return { start: k * orig - width + phase.first, taps: phase.taps };
  };
  return {
    outLength: (n) => Math.ceil((next * n) / orig),
    reach: (index) => {
      const { start, taps } = startOf(index);
      return start + taps.length;
    },
    keepFrom: (index) => Math.max(0, Math.floor(index / next) * orig - width),
    fill(out, j0, j1, samples, offset, n) {
      for (let index = j0; index < j1; index++) {
        // Inlined startOf: this loop runs once per output sample.
        const k = Math.floor(index / next);
        const phase = phases[index - k * next] as Phase;
        const start = k * orig - width + phase.first;
        const taps = phase.taps;
        const from = Math.max(0, -start);
        const to = Math.min(taps.length, n - start);
        const base = start - offset;
        let acc = 0;
        for (let i = from; i < to; i++) acc += (samples[base + i] as number) * (taps[i] as number);
        out[index - j0] = acc;
      }
    },
  };
}
