/** Which mel scale maps hertz to mels. */
export type MelScale = 'slaney' | 'htk';

const SLANEY_F_SP = 200 / 3;
const SLANEY_MIN_LOG_HZ = 1000;
const SLANEY_MIN_LOG_MEL = SLANEY_MIN_LOG_HZ / SLANEY_F_SP;
const SLANEY_LOG_STEP = Math.log(6.4) / 27;

/** Hertz to mels (torchaudio's `_hz_to_mel`): HTK's 2595·log10(1 + f/700), or Slaney's linear-then-log scale. */
export function hzToMel(hz: number, scale: MelScale): number {
  if (scale === 'htk') return 2595 * Math.log10(1 + hz / 700);
  if (hz < SLANEY_MIN_LOG_HZ) return hz / SLANEY_F_SP;
  return SLANEY_MIN_LOG_MEL + Math.log(hz / SLANEY_MIN_LOG_HZ) / SLANEY_LOG_STEP;
}

/** Mels to hertz, the inverse of {@link hzToMel}. */
export function melToHz(mel: number, scale: MelScale): number {
  if (scale === 'htk') return 700 * (10 ** (mel / 2595) - 1);
  if (mel < SLANEY_MIN_LOG_MEL) return mel * SLANEY_F_SP;
  return SLANEY_MIN_LOG_HZ * Math.exp(SLANEY_LOG_STEP * (mel - SLANEY_MIN_LOG_MEL));
}

/** A triangular mel filterbank stored sparsely: filter m covers bins [start[m], start[m] + weights[m].length). */
export interface MelFilterbank {
  /** Number of frequency bins the filters read (nFft / 2 + 1). */
  nFreqs: number;
  /** Number of mel filters. */
  nMels: number;
  /** The first non-zero bin of each filter. */
  start: Int32Array;
  /** Each filter's non-zero weights, from its start bin on. */
  weights: Float64Array[];
}

/**
 * The mel filterbank of torchaudio.functional.melscale_fbanks: `nMels` triangles evenly spaced
 * in mels between fMin and fMax over bins at linspace(0, floor(sampleRate / 2), nFreqs); with
 * `norm: 'slaney'` each triangle is scaled by 2 / (its width in Hz) (equal area, as librosa).
 */
export function melFilterbank(options: {
  nFreqs: number;
  fMin: number;
  fMax: number;
  nMels: number;
  sampleRate: number;
  melScale: MelScale;
  norm: 'slaney' | null;
}): MelFilterbank {
  const { nFreqs, fMin, fMax, nMels, sampleRate, melScale, norm } = options;
  // torchaudio uses integer division for the top bin's frequency.
  const top = Math.floor(sampleRate / 2);
  const freqs = new Float64Array(nFreqs);
  for (let k = 0; k < nFreqs; k++) freqs[k] = nFreqs === 1 ? 0 : (top * k) / (nFreqs - 1);
  const mMin = hzToMel(fMin, melScale);
  const mMax = hzToMel(fMax, melScale);
  const points = new Float64Array(nMels + 2);
  for (let i = 0; i < nMels + 2; i++)
    points[i] = melToHz(mMin + ((mMax - mMin) * i) / (nMels + 1), melScale);
  const start = new Int32Array(nMels);
  const weights: Float64Array[] = [];
  for (let m = 0; m < nMels; m++) {
    const lower = points[m] as number;
    const centre = points[m + 1] as number;
    const upper = points[m + 2] as number;
    const enorm = norm === 'slaney' ? 2 / (upper - lower) : 1;
    const row: number[] = [];
    let first = -1;
    for (let k = 0; k < nFreqs; k++) {
      const f = freqs[k] as number;
      const w = Math.max(
        0,
        Math.min((f - lower) / (centre - lower), (upper - f) / (upper - centre)),
      );
      if (w > 0) {
        if (first < 0) first = k;
        // Keep interior zeros so a filter is one contiguous run of bins.
        while (row.length < k - first) row.push(0);
        row.push(w * enorm);
      }
    }
    start[m] = Math.max(0, first);
    weights.push(Float64Array.from(row));
  }
  return { nFreqs, nMels, start, weights };
}

/** The filterbank as a dense row-major [nFreqs, nMels] matrix (for the tfjs path). */
export function denseFilterbank(bank: MelFilterbank): Float32Array {
  const out = new Float32Array(bank.nFreqs * bank.nMels);
  for (let m = 0; m < bank.nMels; m++) {
    const w = bank.weights[m] as Float64Array;
    const s = bank.start[m] as number;
    for (let i = 0; i < w.length; i++) out[(s + i) * bank.nMels + m] = w[i] as number;
  }
  return out;
}
