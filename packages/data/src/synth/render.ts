import type { Rng } from '@clapjs/core';
import type { SynthAttributes, SynthParams, Timbre } from './attributes.js';

const TABLE_SIZE = 2048;
/** Partials stay below this frequency so that nothing aliases at 16 kHz (and all show below fMax 8 kHz). */
const PARTIAL_LIMIT_HZ = 7800;
/** Bell-like inharmonic partials (ratios of an ideal free bar/bell) and their weights. */
const BELL_RATIOS = [1, 2.76, 5.4, 8.93, 13.34];
const BELL_WEIGHTS = [1, 0.6, 0.4, 0.25, 0.2];

const tables = new Map<string, Float32Array>();
/** Pitch and envelope change slowly: they are computed every CONTROL samples and interpolated. */
const CONTROL = 16;

/** One period of a harmonic timbre with `harmonics` partials, peak-normalised (cached). */
function wavetable(timbre: Exclude<Timbre, 'bell'>, harmonics: number): Float32Array {
  const key = `${timbre}:${harmonics}`;
  const cached = tables.get(key);
  if (cached !== undefined) return cached;
  const table = new Float32Array(TABLE_SIZE + 1);
  const sine =
    tables.get('sine') ??
    Float32Array.from({ length: TABLE_SIZE }, (_, i) => Math.sin((2 * Math.PI * i) / TABLE_SIZE));
  tables.set('sine', sine);
  for (let n = 1; n <= (timbre === 'pure' ? 1 : harmonics); n++) {
    if (timbre === 'hollow' && n % 2 === 0) continue;
    const amplitude = 1 / n;
    for (let i = 0; i < TABLE_SIZE; i++)
      table[i] = (table[i] as number) + amplitude * (sine[(n * i) % TABLE_SIZE] as number);
  }
  let peak = 0;
  for (let i = 0; i < TABLE_SIZE; i++) peak = Math.max(peak, Math.abs(table[i] as number));
  for (let i = 0; i < TABLE_SIZE; i++) table[i] = (table[i] as number) / peak;
  table[TABLE_SIZE] = table[0] as number; // guard sample for interpolation
  tables.set(key, table);
  return table;
}

function lookup(table: Float32Array, phase: number): number {
  const x = phase * TABLE_SIZE;
  const i = x | 0;
  const frac = x - i;
  return (table[i] as number) + frac * ((table[i + 1] as number) - (table[i] as number));
}

/**
 * Progress in [0, 1) through the current pitch sweep at time t. A glide spread over a whole 2 s
 * note is too shallow for a small CNN to see its direction (a fraction of a mel bin per frame), so
 * rising/falling pitch is a sweep per note: per pulse, over a hit's audible decay, and repeated
 * every `sweepSeconds` in a sustained tone (a siren-like "whoop").
 */
function sweepProgress(a: SynthAttributes, p: SynthParams, t: number): number {
  const since = Math.max(0, t - p.onset);
  const length =
    a.rhythm === 'hit'
      ? 2.5 * p.decay
      : a.rhythm === 'pulsing'
        ? p.pulseDuty / p.pulseHz
        : p.sweepSeconds;
  const period = a.rhythm === 'pulsing' ? 1 / p.pulseHz : length;
  if (a.rhythm === 'hit') return Math.min(1, since / length);
  return Math.min(1, (since % period) / length);
}

/** The pitch (Hz) at time t. */
function pitchAt(a: Extract<SynthAttributes, { kind: 'tone' }>, p: SynthParams, t: number): number {
  switch (a.contour) {
    case 'rising':
      return p.centreHz * 2 ** (p.glideOctaves * (sweepProgress(a, p, t) - 0.5));
    case 'falling':
      return p.centreHz * 2 ** (p.glideOctaves * (0.5 - sweepProgress(a, p, t)));
    case 'steady':
      return p.centreHz;
    case 'wobbling':
      return (
        p.centreHz * 2 ** ((p.vibratoSemitones / 12) * Math.sin(2 * Math.PI * p.vibratoHz * t))
      );
  }
}

/** Amplitude envelope in [0, 1] at time t. */
function envelopeAt(a: SynthAttributes, p: SynthParams, t: number): number {
  if (t < p.onset) return 0;
  const since = t - p.onset;
  if (a.rhythm === 'hit') return Math.min(1, since / 0.004) * Math.exp(-since / p.decay);
  if (t >= p.offset) return 0;
  const ramp = (x: number, width: number): number => Math.min(1, x / width);
  if (a.rhythm === 'sustained') return ramp(since, 0.03) * ramp(p.offset - t, 0.06);
  const period = 1 / p.pulseHz;
  const inPeriod = since % period;
  const on = p.pulseDuty * period;
  return inPeriod >= on ? 0 : ramp(inPeriod, 0.008) * ramp(on - inPeriod, 0.02);
}

/** Multiplies by the envelope, evaluated at control rate and linearly interpolated. */
function applyEnvelope(
  a: SynthAttributes,
  p: SynthParams,
  out: Float32Array,
  sampleRate: number,
): void {
  let previous = envelopeAt(a, p, 0);
  for (let i0 = 0; i0 < out.length; i0 += CONTROL) {
    const next = envelopeAt(a, p, (i0 + CONTROL) / sampleRate);
    const stop = Math.min(out.length, i0 + CONTROL);
    for (let i = i0; i < stop; i++)
      out[i] = (out[i] as number) * (previous + ((next - previous) * (i - i0)) / CONTROL);
    previous = next;
  }
}

function tone(
  a: Extract<SynthAttributes, { kind: 'tone' }>,
  p: SynthParams,
  out: Float32Array,
  sampleRate: number,
  rng: Rng,
): void {
  const maxHz =
    a.contour === 'rising' || a.contour === 'falling'
      ? p.centreHz * 2 ** (p.glideOctaves / 2)
      : p.centreHz * 2 ** (p.vibratoSemitones / 12);
  const ratios =
    a.timbre === 'bell' ? BELL_RATIOS.filter((r) => r * maxHz < PARTIAL_LIMIT_HZ) : [1];
  const table =
    a.timbre === 'bell'
      ? wavetable('pure', 1)
      : wavetable(a.timbre, Math.max(1, Math.floor(PARTIAL_LIMIT_HZ / maxHz)));
  const phases = ratios.map(() => rng.next());
  let step = 0;
  for (let i = 0; i < out.length; i++) {
    if (i % CONTROL === 0) step = pitchAt(a, p, (i + CONTROL / 2) / sampleRate) / sampleRate;
    let value = 0;
    for (let k = 0; k < ratios.length; k++) {
      let phase = (phases[k] as number) + step * (ratios[k] as number);
      phase -= Math.floor(phase);
      phases[k] = phase;
      value += (a.timbre === 'bell' ? (BELL_WEIGHTS[k] as number) : 1) * lookup(table, phase);
    }
    out[i] = value;
  }
}

/**
 * Uniform noise in [-1, 1) from a xorshift32 stream seeded by the clip's Rng: per-sample noise
 * needs ~10x less time than Rng method calls, and stays fully determined by the seed.
 */
function noiseSource(rng: Rng): () => number {
  let state = rng.nextUint32() | 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2147483648 - 1;
  };
}

function noise(colour: 'white' | 'pink' | 'brown', out: Float32Array, rng: Rng): void {
  const uniform = noiseSource(rng);
  // Pink: Paul Kellet's economy filter; brown: a leaky integrator of white noise.
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let brown = 0;
  for (let i = 0; i < out.length; i++) {
    const white = uniform();
    if (colour === 'white') out[i] = white;
    else if (colour === 'pink') {
      b0 = 0.99765 * b0 + white * 0.099046;
      b1 = 0.963 * b1 + white * 0.2965164;
      b2 = 0.57 * b2 + white * 1.0526913;
      out[i] = b0 + b1 + b2 + white * 0.1848;
    } else {
      brown = 0.995 * brown + white * 0.1;
      out[i] = brown;
    }
  }
}

function normalisePeak(x: Float32Array, peak: number): void {
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] as number));
  if (max > 0) for (let i = 0; i < x.length; i++) x[i] = ((x[i] as number) / max) * peak;
}

/**
 * Renders one clip: the source (wavetable tone along its pitch contour, or coloured noise),
 * shaped by the rhythm envelope, scaled to its loudness, plus crackle and a −80 dB noise floor.
 * About a millisecond per 2 s clip at 16 kHz.
 */
export function renderClip(
  a: SynthAttributes,
  p: SynthParams,
  sampleRate: number,
  clipSeconds: number,
  rng: Rng,
): Float32Array {
  const out = new Float32Array(Math.round(sampleRate * clipSeconds));
  if (a.kind === 'tone') tone(a, p, out, sampleRate, rng);
  else noise(a.colour, out, rng);
  applyEnvelope(a, p, out, sampleRate);
  normalisePeak(out, p.peak);
  const uniform = noiseSource(rng);
  if (a.background === 'crackle') {
    // Clicks at exponentially distributed intervals (a Poisson process), each a short noise burst.
    for (
      let i = Math.floor(-Math.log(1 - rng.next()) * (sampleRate / p.crackleRate));
      i < out.length;
      i += 1 + Math.floor(-Math.log(1 - rng.next()) * (sampleRate / p.crackleRate))
    ) {
      const amplitude = rng.uniform(0.02, 0.08);
      for (let k = 0; k < 48 && i + k < out.length; k++)
        out[i + k] = (out[i + k] as number) + amplitude * Math.exp(-k / 8) * uniform();
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + 1e-4 * uniform();
  return out;
}
