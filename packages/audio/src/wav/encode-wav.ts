import { AudioArgumentError } from '../errors.js';
import { MAX_SAMPLE_RATE, MIN_SAMPLE_RATE } from '../types.js';

/** Options for {@link encodeWav}. */
export interface EncodeWavOptions {
  /** `pcm16` (default; samples scaled by 32768, rounded and clipped to the 16-bit range) or `float32` (lossless). */
  format?: 'pcm16' | 'float32';
}

/**
 * Encodes mono samples as a RIFF/WAVE file: 16-bit PCM or 32-bit IEEE float.
 *
 * @param samples mono samples, nominally in [-1, 1]
 * @param sampleRate samples per second (an integer)
 * @returns the file bytes
 */
export function encodeWav(
  samples: Float32Array,
  sampleRate: number,
  options: EncodeWavOptions = {},
): Uint8Array {
  const format = options.format ?? 'pcm16';
  if (format !== 'pcm16' && format !== 'float32') {
    throw new AudioArgumentError(
      `encodeWav: format must be 'pcm16' or 'float32', got '${String(format)}'`,
    );
  }
  if (
    !Number.isInteger(sampleRate) ||
    sampleRate < MIN_SAMPLE_RATE ||
    sampleRate > MAX_SAMPLE_RATE
  ) {
    throw new AudioArgumentError(
      `encodeWav: sampleRate must be an integer from ${MIN_SAMPLE_RATE} to ${MAX_SAMPLE_RATE}, got ${sampleRate}`,
    );
  }
  const bytesPerSample = format === 'pcm16' ? 2 : 4;
  const dataSize = samples.length * bytesPerSample;
  const out = new Uint8Array(44 + dataSize);
  const view = new DataView(out.buffer);
  const tag = (offset: number, text: string): void => {
    for (let i = 0; i < 4; i++) out[offset + i] = text.charCodeAt(i);
  };
  tag(0, 'RIFF');
  view.setUint32(4, 36 + dataSize, true);
  tag(8, 'WAVE');
  tag(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, format === 'pcm16' ? 1 : 3, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * bytesPerSample, true);
  view.setUint16(32, bytesPerSample, true);
  view.setUint16(34, bytesPerSample * 8, true);
  tag(36, 'data');
  view.setUint32(40, dataSize, true);
  if (format === 'float32') {
    for (let i = 0; i < samples.length; i++)
      view.setFloat32(44 + 4 * i, samples[i] as number, true);
  } else {
    for (let i = 0; i < samples.length; i++) {
      // The same scale decodeWav divides by, so a round trip is exact to half a step; +1.0 clips.
      const v = Math.round(((samples[i] as number) || 0) * 32768);
      view.setInt16(44 + 2 * i, Math.max(-32768, Math.min(32767, v)), true);
    }
  }
  return out;
}
