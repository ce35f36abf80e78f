import { describe, expect, it } from 'vitest';
import { Rng } from '@clapjs/core';
import { RealFFT } from './real-fft.js';

function naiveDft(x: Float64Array): { re: Float64Array; im: Float64Array } {
  const n = x.length;
  const re = new Float64Array(n / 2 + 1);
  const im = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) {
    for (let t = 0; t < n; t++) {
      const a = (-2 * Math.PI * ((k * t) % n)) / n;
      re[k] = (re[k] as number) + (x[t] as number) * Math.cos(a);
      im[k] = (im[k] as number) + (x[t] as number) * Math.sin(a);
    }
  }
  return { re, im };
}

describe('RealFFT', () => {
  for (const n of [4, 8, 64, 512, 1024]) {
    it(`matches a naive DFT at size ${n}`, () => {
      const x = Float64Array.from(new Rng(n).normalArray(n));
      const fft = new RealFFT(n);
      const re = new Float64Array(n / 2 + 1);
      const im = new Float64Array(n / 2 + 1);
      fft.transform(x, re, im);
      const ref = naiveDft(x);
      const power = new Float64Array(n / 2 + 1);
      fft.powerSpectrum(x, 0, undefined, power);
      for (let k = 0; k <= n / 2; k++) {
        expect(re[k]).toBeCloseTo(ref.re[k] as number, 9);
        expect(im[k]).toBeCloseTo(ref.im[k] as number, 9);
        const p = (ref.re[k] as number) ** 2 + (ref.im[k] as number) ** 2;
        expect(Math.abs((power[k] as number) - p)).toBeLessThan(1e-9 * Math.max(1, p));
      }
    });
  }

  it('applies a window and an offset', () => {
    const x = Float64Array.from(new Rng(1).normalArray(40));
    const w = Float64Array.from(new Rng(2).uniformArray(16, 0, 1));
    const fft = new RealFFT(16);
    const a = new Float64Array(9);
    const b = new Float64Array(9);
    fft.powerSpectrum(x, 7, w, a);
    fft.powerSpectrum(
      x.slice(7, 23).map((v, i) => v * (w[i] as number)),
      0,
      undefined,
      b,
    );
    for (let k = 0; k < 9; k++) expect(a[k]).toBeCloseTo(b[k] as number, 10);
  });

  it('rejects sizes that are not powers of two', () => {
    expect(() => new RealFFT(1000)).toThrow(/power of two/);
  });
});
