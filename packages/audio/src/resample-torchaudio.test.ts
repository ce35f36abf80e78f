import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AudioArgumentError } from './errors.js';
import { resample, resampleFor } from './resample.js';
import { resampleTorchaudio } from './resample-torchaudio.js';
import { fixturePath } from './test-utils/golden.js';

interface Case {
  fromRate: number;
  toRate: number;
  input: string;
  float64: string;
  float32: string;
  float32NoiseMax: number;
}

const bytes = (b64: string): ArrayBuffer => {
  const b = Buffer.from(b64, 'base64');
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
};

const { cases } = JSON.parse(readFileSync(fixturePath('resample-torchaudio.json'), 'utf8')) as {
  cases: Case[];
};

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
};

describe('resampleTorchaudio matches torchaudio.functional.resample (scripts/make_resample_reference.py)', () => {
  for (const c of cases) {
    it(`${c.fromRate} → ${c.toRate} Hz`, () => {
      const input = new Float32Array(bytes(c.input));
      const ref64 = new Float64Array(bytes(c.float64));
      const ref32 = new Float32Array(bytes(c.float32));
      const out = resampleTorchaudio(input, c.fromRate, c.toRate);
      expect(out.length).toBe(ref64.length);
      // Against float64 torchaudio: only our float32 output rounding remains (≤ 2^-24 · |x|).
      expect(maxAbsDiff(out, ref64)).toBeLessThan(1e-6);
      // Against float32 torchaudio: within that pipeline's own float32 error.
      expect(maxAbsDiff(out, ref32)).toBeLessThanOrEqual(c.float32NoiseMax + 1e-6);
      // The Kaiser default is a different filter: it must not pass this check by accident.
      expect(maxAbsDiff(resample(input, c.fromRate, c.toRate), ref64)).toBeGreaterThan(1e-4);
    });
  }

  it('is reachable through resample(…, { method: "torchaudio" }) and refuses non-integer rates', () => {
    const x = Float32Array.from({ length: 500 }, (_, i) => Math.sin(i / 7));
    expect(resample(x, 16_000, 48_000, { method: 'torchaudio' })).toEqual(
      resampleTorchaudio(x, 16_000, 48_000),
    );
    expect(() => resampleTorchaudio(x, 44_100.5, 48_000)).toThrow(AudioArgumentError);
    expect(() => resampleTorchaudio(x, 16_000, 48_000, { rolloff: 0 })).toThrow(/rolloff/);
  });
});

describe('resampleFor', () => {
  it('uses the resampler the preset selects, and passes audio at the right rate through', () => {
    const x = Float32Array.from({ length: 800 }, (_, i) => Math.sin(i / 3));
    const config = { sampleRate: 48_000 };
    expect(resampleFor({ ...config, resampler: 'torchaudio' }, x, 16_000)).toEqual(
      resampleTorchaudio(x, 16_000, 48_000),
    );
    expect(resampleFor(config, x, 16_000)).toEqual(resample(x, 16_000, 48_000));
    expect(resampleFor(config, x, 48_000)).toBe(x);
  });
});
