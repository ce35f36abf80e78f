import { ConfigError } from '@clapjs/core';
import type { LogMelConfig } from './config.js';

/** The presets {@link getPreset} builds, each named after what it reproduces. */
export type CanonicalPresetName =
  'msclap-2022' | 'msclap-2023' | 'laion-unfused' | 'laion-fused' | 'fast';

/**
 * Names accepted by {@link getPreset}: the canonical names plus `laion`, the old name of
 * `laion-fused` (saved model configs still name it).
 */
export type PresetName = CanonicalPresetName | 'laion';

/** Old preset names and the preset each now resolves to. */
export const PRESET_ALIASES: Readonly<Record<string, CanonicalPresetName>> = {
  laion: 'laion-fused',
};

const SHARED = {
  power: 2,
  center: true,
  amin: 1e-10,
  ref: 1,
  topDb: null,
  nMels: 64,
  fMin: 50,
  melSampleRate: null,
} as const;

// msclap 2022 (CNN14): torchlibrosa = librosa's Slaney scale and norm; torchaudio resampling;
// short clips tiled and the last copy cut; long ones cropped at random (see windows.ts).
const MSCLAP_2022: LogMelConfig = {
  ...SHARED,
  sampleRate: 44_100,
  nFft: 1024,
  hopLength: 320,
  winLength: 1024,
  fMax: 14_000,
  melScale: 'slaney',
  norm: 'slaney',
  clipSeconds: 5,
  resampler: 'torchaudio',
  padMode: 'tile-cut',
};

// LAION-CLAP without fusion (630k-*, music_*) = Hugging Face `rand_trunc`
// (clap-htsat-unfused, larger_clap_*): the model's torchlibrosa front end, Slaney scale and norm.
const LAION_UNFUSED: LogMelConfig = {
  ...SHARED,
  sampleRate: 48_000,
  nFft: 1024,
  hopLength: 480,
  winLength: 1024,
  fMax: 14_000,
  melScale: 'slaney',
  norm: 'slaney',
  clipSeconds: 10,
  resampler: 'torchaudio',
  padMode: 'repeat-pad',
};

// What each preset reproduces, and where upstream sets it: docs/front-ends.md.
const PRESETS: Record<CanonicalPresetName, LogMelConfig> = {
  'msclap-2022': MSCLAP_2022,
  // msclap 2023 (HTSAT): audio resampled to 44.1 kHz into a filterbank built for 32 kHz (HTSAT's
  // own config): a 7 s clip gives 965 frames, and the bands sit 44.1/32 higher than labelled.
  'msclap-2023': { ...MSCLAP_2022, melSampleRate: 32_000, clipSeconds: 7 },
  'laion-unfused': LAION_UNFUSED,
  // LAION-CLAP fusion models = Hugging Face `fusion`: laion_clap's torchaudio MelSpectrogram
  // (HTK scale, no norm) + AmplitudeToDB(top_db=None); otherwise the same numbers.
  'laion-fused': { ...LAION_UNFUSED, melScale: 'htk', norm: null },
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
    resampler: 'kaiser',
    padMode: 'repeat-pad',
  },
};

/** The canonical preset names (aliases such as `laion` are in {@link PRESET_ALIASES}). */
export const PRESET_NAMES = Object.keys(PRESETS) as CanonicalPresetName[];

/**
 * A copy of a named front-end configuration: `msclap-2022` (44.1 kHz, 5 s, tile-and-cut),
 * `msclap-2023` (44.1 kHz audio into a 32 kHz filterbank, 7 s), `laion-unfused` (48 kHz, hop 480,
 * Slaney mel, 10 s, repeat-pad), `laion-fused` (the same with HTK mel and no norm) or `fast`
 * (16 kHz, n_fft 512, hop 256, 64 mel, 50–8000 Hz, 2 s: the CPU-training default). `laion`, the
 * old name of `laion-fused`, still resolves to it.
 * @throws ConfigError for an unknown name
 */
export function getPreset(name: PresetName): LogMelConfig {
  const canonical = Object.hasOwn(PRESET_ALIASES, name)
    ? (PRESET_ALIASES[name] as CanonicalPresetName)
    : name;
  if (!Object.hasOwn(PRESETS, canonical)) {
    throw new ConfigError(
      'audio.preset',
      `Unknown log-mel preset '${String(name)}'; expected one of ${PRESET_NAMES.join(', ')} (or the alias ${Object.keys(PRESET_ALIASES).join(', ')}).`,
    );
  }
  return { ...PRESETS[canonical as CanonicalPresetName] };
}
