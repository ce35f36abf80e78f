import { Rng } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { AudioArgumentError } from './errors.js';
import { getPreset } from './presets.js';
import { clipWindows, windowClip, windowLength } from './windows.js';

const laion = getPreset('laion-unfused'); // 10 s windows, repeat-pad
const msclap = getPreset('msclap-2022'); // 5 s windows, tile-cut
const ramp = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => i + 1);

describe('clipWindows', () => {
  it('gives one window for a clip no longer than the preset’s window', () => {
    expect(clipWindows(48_000, 48_000, laion)).toEqual([{ start: 0, end: 48_000 }]);
    expect(clipWindows(480_000, 48_000, laion)).toEqual([{ start: 0, end: 480_000 }]);
  });

  it('covers a long clip with the fewest evenly spaced windows, first and last sample included', () => {
    const L = windowLength(laion, 48_000);
    expect(L).toBe(480_000);
    // 25 s: three 10 s windows at 0, 7.5 s and 15 s.
    expect(clipWindows(1_200_000, 48_000, laion)).toEqual([
      { start: 0, end: 480_000 },
      { start: 360_000, end: 840_000 },
      { start: 720_000, end: 1_200_000 },
    ]);
    for (const n of [480_001, 1_000_003, 4_800_000, 7_777_777]) {
      const spans = clipWindows(n, 48_000, laion);
      expect(spans.length).toBe(Math.ceil(n / L));
      expect(spans[0]!.start).toBe(0);
      expect(spans.at(-1)!.end).toBe(n);
      for (const [i, s] of spans.entries()) {
        expect(s.end - s.start).toBe(L);
        if (i > 0) expect(s.start).toBeLessThanOrEqual(spans[i - 1]!.end); // no gap
      }
    }
  });

  it('computes spans at any rate: the file’s own rate bounds decoding', () => {
    expect(clipWindows(441_000 * 3, 44_100, laion).map((s) => s.start)).toEqual([
      0, 441_000, 882_000,
    ]);
  });

  it('places one window at an explicit offset (the originals’ crop, reproducible)', () => {
    expect(clipWindows(600_000, 48_000, laion, { offset: 1234 })).toEqual([
      { start: 1234, end: 481_234 },
    ]);
    expect(clipWindows(600_000, 48_000, laion, { offset: 120_000 })).toEqual([
      { start: 120_000, end: 600_000 },
    ]);
    expect(() => clipWindows(600_000, 48_000, laion, { offset: 120_001 })).toThrow(
      /offsets 0 to 120000/,
    );
    expect(() => clipWindows(1000, 48_000, laion, { offset: 1 })).toThrow(AudioArgumentError);
  });

  it('draws the originals’ random crop from a seeded Rng, over their ranges', () => {
    const n = 480_000 + 3; // overflow 3
    const draw = (config: typeof laion, seed: number): number[] => {
      const rng = new Rng(seed);
      return Array.from({ length: 200 }, () => clipWindows(n, 48_000, config, { rng })[0]!.start);
    };
    expect(draw(laion, 5)).toEqual(draw(laion, 5)); // seeded: same seed, same crops
    expect(new Set(draw(laion, 5))).toEqual(new Set([0, 1, 2, 3])); // randint(0, overflow + 1)
    const msclapTen = { ...msclap, clipSeconds: 10 };
    expect(new Set(draw(msclapTen, 5))).toEqual(new Set([0, 1, 2])); // randrange(overflow)
  });

  it('refuses bad input with AudioArgumentError', () => {
    expect(() => clipWindows(0, 48_000, laion)).toThrow(/positive integer/);
    expect(() => clipWindows(10, 0, laion)).toThrow(/sampleRate/);
    expect(() => clipWindows(10, 48_000, laion, { offset: 0, rng: new Rng(1) })).toThrow(
      /either offset or rng/,
    );
  });
});

describe('windowClip', () => {
  const tiny = (padMode: 'repeat-pad' | 'tile-cut' | 'zero-pad') => ({ clipSeconds: 8, padMode });
  it('fills a short clip by the preset’s pad mode', () => {
    const clip = ramp(3);
    const span = clipWindows(3, 1, tiny('repeat-pad'))[0]!;
    expect(Array.from(windowClip(clip, span, 1, tiny('repeat-pad')))).toEqual([
      1, 2, 3, 1, 2, 3, 0, 0,
    ]);
    expect(Array.from(windowClip(clip, span, 1, tiny('tile-cut')))).toEqual([
      1, 2, 3, 1, 2, 3, 1, 2,
    ]);
    expect(Array.from(windowClip(clip, span, 1, tiny('zero-pad')))).toEqual([
      1, 2, 3, 0, 0, 0, 0, 0,
    ]);
  });

  it('copies a full window', () => {
    const clip = ramp(20);
    const spans = clipWindows(20, 1, tiny('tile-cut'));
    expect(spans.map((s) => Array.from(windowClip(clip, s, 1, tiny('tile-cut'))))).toEqual([
      [1, 2, 3, 4, 5, 6, 7, 8],
      [7, 8, 9, 10, 11, 12, 13, 14],
      [13, 14, 15, 16, 17, 18, 19, 20],
    ]);
    expect(() => windowClip(clip, { start: 15, end: 23 }, 1, tiny('zero-pad'))).toThrow(
      AudioArgumentError,
    );
  });
});
