import { describe, expect, it } from 'vitest';
import { resample } from './resample.js';

function tone(freq: number, rate: number, seconds: number, amplitude = 0.5): Float32Array {
  return Float32Array.from(
    { length: Math.round(rate * seconds) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * freq * i) / rate),
  );
}

/** RMS of the middle of a signal (away from the zero-padded edges). */
function rms(x: Float32Array): number {
  const body = x.subarray(Math.floor(x.length / 4), Math.floor((3 * x.length) / 4));
  let sum = 0;
  for (const v of body) sum += v * v;
  return Math.sqrt(sum / body.length);
}

const db = (ratio: number): number => 20 * Math.log10(ratio);

describe('resample', () => {
  it('removes a 15 kHz tone going from 44.1 kHz to 16 kHz (≥ 60 dB down)', () => {
    const input = tone(15_000, 44_100, 0.5);
    const out = resample(input, 44_100, 16_000);
    expect(out.length).toBe(8000);
    expect(db(rms(out) / rms(input))).toBeLessThan(-60);
  });

  for (const [from, to] of [
    [44_100, 16_000],
    [16_000, 44_100],
    [48_000, 32_000],
    [22_050, 48_000],
    [32_000, 44_100],
  ] as const) {
    it(`keeps a 1 kHz tone's level within 0.1 dB, ${from} → ${to} Hz`, () => {
      const input = tone(1000, from, 0.5);
      const out = resample(input, from, to);
      expect(out.length).toBe(Math.ceil((input.length * to) / from));
      expect(Math.abs(db(rms(out) / rms(input)))).toBeLessThan(0.1);
      // and the waveform is the same tone, sample for sample, away from the edges
      const expected = tone(1000, to, 0.5);
      for (let i = Math.floor(out.length / 4); i < (3 * out.length) / 4; i++)
        expect(Math.abs((out[i] as number) - (expected[i] as number))).toBeLessThan(1e-3);
    });
  }

  it('returns a copy at equal rates and rejects impossible rates', () => {
    const x = Float32Array.of(1, 2, 3);
    const y = resample(x, 16_000, 16_000);
    expect(Array.from(y)).toEqual([1, 2, 3]);
    expect(y).not.toBe(x);
    expect(() => resample(x, 0, 16_000)).toThrow(/fromRate/);
    expect(() => resample(x, 16_000, Number.NaN)).toThrow(/toRate/);
    expect(resample(new Float32Array(0), 44_100, 16_000).length).toBe(0);
  });
});
