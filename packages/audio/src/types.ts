/** Mono audio as decoded: samples in [-1, 1] (not clamped) at `sampleRate` Hz. */
export interface DecodedAudio {
  /** Mono samples; multi-channel input is averaged across channels. */
  samples: Float32Array;
  /** Samples per second. */
  sampleRate: number;
  /** Channels in the file before they were averaged to mono. */
  channels: number;
  /**
   * Bits per stored sample in the file (8, 16, 24, 32; 32 or 64 for float), or null for lossy
   * codecs (Ogg Vorbis, MP3), which store no fixed bit depth.
   */
  bitDepth: number | null;
}

/** The lowest and highest sample rates a decoder accepts; outside them a header is corrupt. */
export const MIN_SAMPLE_RATE = 1000;
export const MAX_SAMPLE_RATE = 768_000;
