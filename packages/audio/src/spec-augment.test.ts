import { Rng } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import type { LogMel } from './log-mel.js';
import { specAugment } from './spec-augment.js';

const logMel = (): LogMel => ({
  data: Float32Array.from({ length: 50 * 16 }, (_, i) => 1 + (i % 7)),
  frames: 50,
  melBins: 16,
});

describe('specAugment', () => {
  it('is seeded and leaves its input unchanged', () => {
    const input = logMel();
    const copy = input.data.slice();
    const a = specAugment(input, {}, new Rng(5));
    const b = specAugment(input, {}, new Rng(5));
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(input.data)).toEqual(Array.from(copy));
    expect([a.frames, a.melBins]).toEqual([50, 16]);
  });

  it('masks whole frames and whole mel bands with the given value, within the widths', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 50; trial++) {
      const out = specAugment(
        logMel(),
        { timeMasks: 1, maxTimeWidth: 6, freqMasks: 0, value: -100 },
        rng,
      );
      const masked = [...Array(50).keys()].filter((t) =>
        out.data.subarray(t * 16, t * 16 + 16).every((v) => v === -100),
      );
      expect(masked.length).toBeLessThanOrEqual(6);
      expect(out.data.filter((v) => v === -100).length).toBe(masked.length * 16);
      if (masked.length > 0)
        expect(masked[masked.length - 1]! - masked[0]!).toBe(masked.length - 1);
    }
    const freq = specAugment(
      logMel(),
      { timeMasks: 0, freqMasks: 1, maxFreqWidth: 16, value: -100 },
      new Rng(2),
    );
    const bands = [...Array(16).keys()].filter((m) =>
      [...Array(50).keys()].every((t) => freq.data[t * 16 + m] === -100),
    );
    expect(freq.data.filter((v) => v === -100).length).toBe(bands.length * 50);
  });

  it("fills with the spectrogram's mean by default and rejects bad options", () => {
    const input = logMel();
    const mean = input.data.reduce((s, v) => s + v, 0) / input.data.length;
    const out = specAugment(input, { timeMasks: 3, maxTimeWidth: 10, freqMasks: 0 }, new Rng(9));
    const changed = [...out.data].filter((v, i) => v !== input.data[i]);
    for (const v of changed) expect(v).toBeCloseTo(mean, 5);
    expect(() => specAugment(input, { timeMasks: -1 }, new Rng(1))).toThrow(/timeMasks/);
    expect(() => specAugment(input, { value: Number.NaN }, new Rng(1))).toThrow(/value/);
  });
});
