import { ConfigError } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { LogMelExtractor } from './log-mel.js';
import { getPreset, PRESET_ALIASES, PRESET_NAMES } from './presets.js';

describe('presets', () => {
  it('carry the published front ends’ numbers', () => {
    expect(getPreset('msclap-2022')).toMatchObject({
      sampleRate: 44_100,
      melSampleRate: null,
      nMels: 64,
      fMin: 50,
      fMax: 14_000,
      nFft: 1024,
      hopLength: 320,
      melScale: 'slaney',
      norm: 'slaney',
      clipSeconds: 5,
      resampler: 'torchaudio',
      padMode: 'tile-cut',
    });
    expect(getPreset('msclap-2023')).toMatchObject({
      sampleRate: 44_100,
      melSampleRate: 32_000,
      nFft: 1024,
      hopLength: 320,
      clipSeconds: 7,
      padMode: 'tile-cut',
    });
    const unfused = getPreset('laion-unfused');
    expect(unfused).toMatchObject({
      sampleRate: 48_000,
      nFft: 1024,
      winLength: 1024,
      hopLength: 480,
      nMels: 64,
      fMin: 50,
      fMax: 14_000,
      melScale: 'slaney',
      norm: 'slaney',
      amin: 1e-10,
      topDb: null,
      clipSeconds: 10,
      padMode: 'repeat-pad',
      resampler: 'torchaudio',
    });
    // Fused differs from unfused only in the mel scale and the filter norm.
    expect(getPreset('laion-fused')).toEqual({ ...unfused, melScale: 'htk', norm: null });
    expect(getPreset('fast')).toMatchObject({
      sampleRate: 16_000,
      nFft: 512,
      hopLength: 256,
      fMax: 8000,
      clipSeconds: 2,
      resampler: 'kaiser',
    });
    for (const name of PRESET_NAMES)
      expect(() => new LogMelExtractor(getPreset(name))).not.toThrow();
  });

  it("keep 'laion' loadable: it is the old name of laion-fused (HTK mel, no norm)", () => {
    expect(PRESET_ALIASES.laion).toBe('laion-fused');
    expect(getPreset('laion')).toEqual(getPreset('laion-fused'));
    expect(PRESET_NAMES).not.toContain('laion');
  });

  it('refuse an unknown name, listing the names', () => {
    expect(() => getPreset('nope' as never)).toThrow(ConfigError);
    expect(() => getPreset('nope' as never)).toThrow(/laion-unfused.*alias laion/);
  });

  it('give the frame counts the originals give', () => {
    expect(new LogMelExtractor(getPreset('fast')).frames()).toBe(126);
    expect(new LogMelExtractor(getPreset('msclap-2022')).frames()).toBe(690); // 1 + 220500 / 320
    // 7 s at 44.1 kHz, not at 32 kHz: 965 frames, not 701.
    expect(new LogMelExtractor(getPreset('msclap-2023')).frames()).toBe(965);
    expect(new LogMelExtractor(getPreset('laion-unfused')).frames()).toBe(1001);
    expect(new LogMelExtractor({ ...getPreset('fast'), center: false }).frames(512)).toBe(1);
  });

  it('build msclap 2023’s filterbank for 32 kHz: each band sits 44.1/32 higher on 44.1 kHz bins', () => {
    const m23 = new LogMelExtractor(getPreset('msclap-2023')).filterbank;
    const at32k = new LogMelExtractor({ ...getPreset('msclap-2023'), sampleRate: 32_000 })
      .filterbank;
    expect(m23).toEqual(at32k); // same bins-to-weights table: the filterbank ignores the audio rate
    const plain = new LogMelExtractor({ ...getPreset('msclap-2023'), melSampleRate: null })
      .filterbank;
    expect(m23).not.toEqual(plain);
  });
});
