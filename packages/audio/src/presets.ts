import { ConfigError } from '@clapjs/core';
import type { LogMelConfig } from './config.js';

/** Names accepted by {@link getPreset}. */
export type PresetName = 'msclap-2022' | 'msclap-2023' | 'laion' | 'fast';

const SHARED = {
  power: 2,
  center: true,
  amin: 1e-10,
  ref: 1,
  topDb: null,
  nMels: 64,
  fMin: 50,
} as const;

const PRESETS: Record<PresetName, LogMelConfig> = {
  // msclap (torchlibrosa front end = librosa's Slaney mel scale and Slaney norm).
  'msclap-2022': {
    ...SHARED,
    sampleRate: 44_100,
    nFft: 1024,
    hopLength: 320,
    winLength: 1024,
    fMax: 14_000,
    melScale: 'slaney',
    norm: 'slaney',
    clipSeconds: 5,
  },
  'msclap-2023': {
    ...SHARED,
    sampleRate: 32_000,
    nFft: 1024,
    hopLength: 320,
    winLength: 1024,
    fMax: 14_000,
    melScale: 'slaney',
    norm: 'slaney',
    clipSeconds: 7,
  },
  // laion_clap's torchaudio MelSpectrogram (HTK scale, no norm) + AmplitudeToDB(top_db=None).
  laion: {
    ...SHARED,
    sampleRate: 48_000,
    nFft: 1024,
    hopLength: 480,
    winLength: 1024,
    fMax: 14_000,
    melScale: 'htk',
    norm: null,
    clipSeconds: 10,
  },
  // The CPU-training default; why these numbers: README "The fast preset".
  fast: {
    ...SHARED,
    sampleRate: 16_000,
    nFft: 512,
    hopLength: 256,
    winLength: 512,
    fMax: 8000,
    melScale: 'slaney',
    norm: 'slaney',
    clipSeconds: 2,
  },
};

/** The names of all presets. */
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/**
 * A copy of a named front-end configuration: `msclap-2022` (44.1 kHz, 5 s), `msclap-2023`
 * (32 kHz, 7 s), `laion` (48 kHz, hop 480, HTK mel, 10 s) or `fast` (16 kHz, n_fft 512, hop 256,
 * 64 mel, 50–8000 Hz, 2 s: the CPU-training default).
 * @throws ConfigError for an unknown name
 */
export function getPreset(name: PresetName): LogMelConfig {
  if (!Object.hasOwn(PRESETS, name)) {
    throw new ConfigError(
      'audio.preset',
      `Unknown log-mel preset '${String(name)}'; expected one of ${PRESET_NAMES.join(', ')}.`,
    );
  }
  return { ...PRESETS[name] };
}
