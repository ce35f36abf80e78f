import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resample, type ResampleMethod } from '../resample.js';
import { resampledLength, StreamResampler } from './resample-stream.js';

function signal(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** Pushes `samples` in pieces cut at `cuts` and joins what the resampler returns. */
function streamed(r: StreamResampler, samples: Float32Array, cuts: number[]): Float32Array {
  const parts: Float32Array[] = [];
  let at = 0;
  for (const cut of [...cuts.sort((a, b) => a - b), samples.length]) {
    parts.push(r.push(samples.subarray(at, Math.max(at, cut))));
    at = Math.max(at, cut);
  }
  parts.push(r.end());
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((o, p) => (out.set(p, o), o + p.length), 0);
  return out;
}

describe('StreamResampler', () => {
  const rates: [number, number, ResampleMethod][] = [
    [48000, 44100, 'torchaudio'],
    [22050, 32000, 'torchaudio'],
    [44100, 16000, 'kaiser'],
    [16000, 48000, 'kaiser'],
    [44100, 44100, 'torchaudio'],
  ];

  it.each(rates)(
    '%i → %i Hz (%s): chunks of any size give exactly the whole-clip samples',
    (from, to, method) => {
      const samples = signal(3001, from);
      const whole = resample(samples, from, to, { method });
      expect(whole.length).toBe(resampledLength(samples.length, from, to));
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 0, max: samples.length }), { maxLength: 12 }),
          (cuts) => {
            const out = streamed(new StreamResampler(from, to, method), samples, cuts);
            expect(out).toEqual(whole);
          },
        ),
        { seed: 19, numRuns: 40 },
      );
    },
  );

  it('holds only the kernel’s reach of input: output keeps pace with input', () => {
    const r = new StreamResampler(48000, 44100, 'torchaudio');
    const chunk = signal(48000, 3);
    let produced = 0;
    for (let i = 0; i < 20; i++) produced += r.push(chunk).length;
    // 20 s pushed: all but the last few milliseconds are out.
    expect(20 * 44100 - produced).toBeLessThan(100);
    expect(produced + r.end().length).toBe(20 * 44100);
  });

  it('refuses bad rates, a bad method and use after end with typed errors', () => {
    expect(() => new StreamResampler(0, 16000)).toThrow(
      expect.objectContaining({ code: 'AUDIO_ARGUMENT' }),
    );
    expect(() => new StreamResampler(44100.5, 16000, 'torchaudio')).toThrow(/integer/);
    expect(() => new StreamResampler(44100, 16000, 'linear' as ResampleMethod)).toThrow(/method/);
    const r = new StreamResampler(44100, 16000);
    r.end();
    expect(() => r.push(new Float32Array(4))).toThrow(/after end/);
  });
});
