import { ConfigError } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { hzToMel, melFilterbank, melToHz } from './dsp/mel.js';
import { hannWindow } from './dsp/window.js';
import { LogMelExtractor, reflectPad } from './log-mel.js';
import { getPreset } from './presets.js';

describe('LogMelExtractor', () => {
  it('rejects invalid settings with ConfigError naming the field', () => {
    const bad = (patch: object): unknown => {
      try {
        new LogMelExtractor({ ...getPreset('fast'), ...patch });
      } catch (e) {
        return e;
      }
      return undefined;
    };
    expect((bad({ nFft: 500 }) as ConfigError).path).toBe('audio.nFft');
    expect((bad({ winLength: 1024 }) as ConfigError).path).toBe('audio.winLength');
    expect((bad({ fMax: 9000 }) as ConfigError).path).toBe('audio.fMax');
    expect((bad({ power: 3 }) as ConfigError).path).toBe('audio.power');
    expect(bad({ extra: 1 })).toBeInstanceOf(ConfigError);
  });

  it('refuses signals too short for reflect padding instead of returning garbage', () => {
    const extractor = new LogMelExtractor(getPreset('fast'));
    expect(() => extractor.compute(new Float32Array(256))).toThrow(/too short/);
    expect(extractor.compute(new Float32Array(257)).frames).toBe(2);
  });

  it('gives silence the amin floor (−100 dB) and topDb clamps per spectrogram', () => {
    const silent = new LogMelExtractor(getPreset('fast')).compute(new Float32Array(1600));
    expect(silent.data.every((v) => v === -100)).toBe(true);
    const x = Float32Array.from({ length: 1600 }, (_, i) => (i === 800 ? 1 : 0));
    const clamped = new LogMelExtractor({ ...getPreset('fast'), topDb: 20 }).compute(x);
    const max = Math.max(...clamped.data);
    expect(Math.min(...clamped.data)).toBeCloseTo(max - 20, 4);
  });
});

describe('DSP pieces', () => {
  it('periodic Hann window, centred when shorter than nFft', () => {
    const w = hannWindow(4);
    expect(Array.from(w)).toEqual(
      [0, 0.5, 1, 0.5].map((v, i) => (i === 1 || i === 3 ? expect.closeTo(v, 12) : v)),
    );
    const padded = hannWindow(4, 8);
    expect(padded[0]).toBe(0);
    expect(padded[4]).toBe(1);
  });

  it('reflect padding leaves out the edge sample, as torch does', () => {
    expect(Array.from(reflectPad(Float32Array.of(1, 2, 3, 4), 2))).toEqual([
      3, 2, 1, 2, 3, 4, 3, 2,
    ]);
  });

  it('mel scales invert and agree with librosa / HTK reference points', () => {
    for (const scale of ['slaney', 'htk'] as const)
      for (const hz of [0, 50, 999, 1000, 8000, 14_000])
        expect(melToHz(hzToMel(hz, scale), scale)).toBeCloseTo(hz, 6);
    expect(hzToMel(1000, 'slaney')).toBeCloseTo(15, 12);
    expect(hzToMel(1000, 'htk')).toBeCloseTo(999.9855, 3);
    const bank = melFilterbank({
      nFreqs: 257,
      fMin: 0,
      fMax: 8000,
      nMels: 40,
      sampleRate: 16_000,
      melScale: 'htk',
      norm: null,
    });
    for (const w of bank.weights) expect(Math.max(...w)).toBeLessThanOrEqual(1);
  });
});
