import { ConfigError, z } from '@clapjs/core';

/**
 * The log-mel front end's settings, named after torchaudio's MelSpectrogram + AmplitudeToDB
 * arguments (camel-cased). See {@link getPreset} for the named presets.
 */
export const logMelConfigSchema = z.strictObject({
  /** Samples per second the extractor expects. */
  sampleRate: z.number().int().min(1000).max(768_000),
  /** FFT size (a power of two). */
  nFft: z
    .number()
    .int()
    .min(4)
    .max(65_536)
    .refine((n) => (n & (n - 1)) === 0, 'nFft must be a power of two'),
  /** Samples between frame starts. */
  hopLength: z.number().int().positive(),
  /** Hann window length (≤ nFft; centred in the FFT frame when shorter). */
  winLength: z.number().int().positive(),
  /** Mel bands. */
  nMels: z.number().int().min(1).max(1024),
  /** Lowest filter edge in Hz. */
  fMin: z.number().min(0),
  /** Highest filter edge in Hz. */
  fMax: z.number().positive(),
  /** 2 for a power spectrogram (dB = 10·log10), 1 for magnitude (dB = 20·log10). */
  power: z.union([z.literal(1), z.literal(2)]),
  /** Mel scale: 'slaney' (librosa, msclap) or 'htk' (torchaudio's default, laion). */
  melScale: z.enum(['slaney', 'htk']),
  /** Filter normalisation: 'slaney' (equal area) or null (peak 1). */
  norm: z.enum(['slaney']).nullable(),
  /** Pad n_fft/2 samples on both sides by reflection so frame t is centred at t·hop. */
  center: z.boolean(),
  /** Clamp dB values to (max − topDb), per spectrogram; null for no clamp. */
  topDb: z.number().positive().nullable(),
  /** Floor before the logarithm (torchaudio's amin). */
  amin: z.number().positive(),
  /** Reference value: 0 dB is `ref` (torchaudio's ref_value). */
  ref: z.number().positive(),
  /** Clip length the model trains on, in seconds (used by crop/pad and `frames`). */
  clipSeconds: z
    .number()
    .positive()
    .max(600, 'at most 600 s (the model window; longer audio is split into windows)'),
  /**
   * The sample rate the mel filterbank's frequency axis is built for, when it differs from
   * `sampleRate` (msclap 2023 builds its filterbank for 32 kHz and feeds it 44.1 kHz audio).
   * Absent or null: `sampleRate`.
   */
  melSampleRate: z.number().int().min(1000).max(768_000).nullable().optional(),
  /**
   * How audio at another rate is brought to `sampleRate`: 'kaiser' ({@link resample}'s default)
   * or 'torchaudio' (torchaudio's resampler, as the published CLAP pipelines use). Absent: kaiser.
   */
  resampler: z.enum(['kaiser', 'torchaudio']).optional(),
  /**
   * How a clip shorter than `clipSeconds` is filled (see {@link cropOrPad}): 'repeat-pad'
   * (laion_clap: whole copies, then zeros; the default), 'tile-cut' (msclap: copies until full,
   * the last one cut) or 'zero-pad'.
   */
  padMode: z.enum(['repeat-pad', 'tile-cut', 'zero-pad']).optional(),
});

/** A log-mel front end configuration; every field is required (presets fill them). */
export type LogMelConfig = z.infer<typeof logMelConfigSchema>;

/**
 * Checks a configuration and its cross-field rules, returning a copy.
 * @throws ConfigError naming the field that is wrong
 */
export function validateLogMelConfig(config: LogMelConfig): LogMelConfig {
  const parsed = logMelConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') ?? '';
    throw new ConfigError(
      `audio.${path}`,
      `Invalid log-mel setting audio.${path}: ${issue?.message}. Start from getPreset('fast') and override single fields.`,
    );
  }
  const c = parsed.data;
  if (c.winLength > c.nFft)
    throw new ConfigError(
      'audio.winLength',
      `audio.winLength ${c.winLength} exceeds nFft ${c.nFft}; use winLength <= nFft.`,
    );
  if (c.fMax <= c.fMin)
    throw new ConfigError('audio.fMax', `audio.fMax ${c.fMax} must exceed fMin ${c.fMin}.`);
  const melRate = c.melSampleRate ?? c.sampleRate;
  if (c.fMax > melRate / 2) {
    throw new ConfigError(
      'audio.fMax',
      `audio.fMax ${c.fMax} Hz is above the Nyquist rate ${melRate / 2} Hz of the filterbank's rate ${melRate} Hz; lower fMax or raise ${c.melSampleRate ? 'melSampleRate' : 'sampleRate'}.`,
    );
  }
  return c;
}
