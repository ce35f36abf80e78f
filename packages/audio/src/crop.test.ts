import { Rng } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { cropOrPad } from './crop.js';

const ramp = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => i + 1);

describe('cropOrPad', () => {
  it('repeat-pad tiles int(max / len) copies then zero-pads (laion_clap repeatpad)', () => {
    expect(Array.from(cropOrPad(ramp(3), 8, 'repeat-pad'))).toEqual([1, 2, 3, 1, 2, 3, 0, 0]);
    expect(Array.from(cropOrPad(ramp(3), 5, 'repeat-pad'))).toEqual([1, 2, 3, 0, 0]);
  });

  it('repeat-pad with max an exact multiple of len leaves no zeros', () => {
    expect(Array.from(cropOrPad(ramp(3), 9, 'repeat-pad'))).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3]);
  });

  it('tile-cut tiles until full and cuts the last copy (msclap: no zeros)', () => {
    expect(Array.from(cropOrPad(ramp(3), 8, 'tile-cut'))).toEqual([1, 2, 3, 1, 2, 3, 1, 2]);
    expect(Array.from(cropOrPad(ramp(3), 2, 'tile-cut'))).toEqual([1, 2]);
    expect(Array.from(cropOrPad(ramp(3), 3, 'tile-cut'))).toEqual([1, 2, 3]);
  });

  it('zero-pad appends zeros; center-crop takes the middle', () => {
    expect(Array.from(cropOrPad(ramp(2), 4, 'zero-pad'))).toEqual([1, 2, 0, 0]);
    expect(Array.from(cropOrPad(ramp(6), 2, 'center-crop'))).toEqual([3, 4]);
    expect(Array.from(cropOrPad(ramp(5), 2, 'zero-pad'))).toEqual([1, 2]);
  });

  it('random-crop is seeded: the same seed gives the same window, windows cover the clip', () => {
    const clip = ramp(100);
    const a = cropOrPad(clip, 10, 'random-crop', new Rng(7));
    const b = cropOrPad(clip, 10, 'random-crop', new Rng(7));
    expect(Array.from(a)).toEqual(Array.from(b));
    const starts = new Set<number>();
    const rng = new Rng(1);
    for (let i = 0; i < 400; i++) {
      const w = cropOrPad(clip, 10, 'random-crop', rng);
      expect(w[9]! - w[0]!).toBe(9); // contiguous
      starts.add(w[0]!);
    }
    expect(Math.min(...starts)).toBe(1);
    expect(Math.max(...starts)).toBe(91);
  });

  it("'fit' crops long clips (random with an Rng, centre without) and repeat-pads short ones", () => {
    expect(Array.from(cropOrPad(ramp(6), 2, 'fit'))).toEqual([3, 4]);
    expect(cropOrPad(ramp(60), 20, 'fit', new Rng(3)).length).toBe(20);
    expect(Array.from(cropOrPad(ramp(2), 5, 'fit'))).toEqual([1, 2, 1, 2, 0]);
  });

  it('returns a copy at the right length and rejects bad arguments', () => {
    const clip = ramp(4);
    const same = cropOrPad(clip, 4, 'zero-pad');
    expect(same).not.toBe(clip);
    expect(() => cropOrPad(clip, 2, 'random-crop')).toThrow(/needs an Rng/);
    expect(() => cropOrPad(new Float32Array(0), 2, 'zero-pad')).toThrow(/empty/);
    expect(() => cropOrPad(clip, 0, 'zero-pad')).toThrow(/positive integer/);
    expect(() => cropOrPad(clip, 2, 'stretch' as never)).toThrow(/mode must be one of/);
  });
});
