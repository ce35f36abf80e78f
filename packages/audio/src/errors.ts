import { ClapError } from '@clapjs/core';

/**
 * Audio bytes could not be decoded: truncated or corrupt data, an unsupported codec, an
 * impossible header field or non-finite samples. `source` names the file (or the caller's
 * `name`), `reason` says what was wrong; `code` is always `AUDIO_DECODE`.
 */
export class AudioDecodeError extends ClapError {
  /** The file path or name the caller gave for the bytes (`<buffer>` when none was given). */
  readonly source: string;
  /** What was wrong with the bytes, without the file name. */
  readonly reason: string;

  constructor(source: string, reason: string, options?: { cause?: unknown }) {
    super(
      'AUDIO_DECODE',
      `Cannot decode audio "${source}": ${reason}. Re-export the file as WAV or AIFF (PCM or float), FLAC, Ogg Vorbis or MP3, or check that it was copied completely.`,
      options,
    );
    this.source = source;
    this.reason = reason;
  }
}

/** An argument to a DSP function (resampler, log-mel, crop/pad, SpecAugment) is out of range. */
export class AudioArgumentError extends ClapError {
  constructor(message: string) {
    super('AUDIO_ARGUMENT', message);
  }
}
