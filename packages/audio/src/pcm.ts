import { AudioDecodeError } from './errors.js';
import type { DecodedAudio } from './types.js';

/**
 * Where an uncompressed file (WAV, AIFF) keeps its sample frames and how to read them: what
 * the whole-file decoders and the streaming reader share, so both give the same floats.
 */
export interface PcmLayout {
  readonly sampleRate: number;
  readonly channels: number;
  /** Bits per stored sample (8, 16, 24, 32; 32 or 64 for float). */
  readonly bitDepth: number;
  /** Complete sample frames in the data chunk. */
  readonly frames: number;
  /** Byte offset of the first frame in the file. */
  readonly dataOffset: number;
  /** Bytes per frame (all channels). */
  readonly frameBytes: number;
  /** One sample at a byte offset of `view` as a float (integers scaled by 2^(bits − 1)). */
  readonly reader: (view: DataView) => (offset: number) => number;
}

/**
 * Mono samples of `bytes.length / frameBytes` frames starting at frame `firstFrame`: channels
 * summed in float64 in order, times 1 / channels. A frame that is NaN, infinite or beyond float32
 * is an {@link AudioDecodeError} naming it.
 */
export function pcmFrames(
  layout: PcmLayout,
  bytes: Uint8Array,
  firstFrame: number,
  name: string,
): Float32Array {
  const count = Math.floor(bytes.length / layout.frameBytes);
  const read = layout.reader(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const width = layout.frameBytes / layout.channels;
  const scale = 1 / layout.channels;
  const samples = new Float32Array(count);
  for (let f = 0, o = 0; f < count; f++) {
    let sum = 0;
    for (let c = 0; c < layout.channels; c++, o += width) sum += read(o);
    samples[f] = sum * scale;
    if (!Number.isFinite(samples[f]))
      throw new AudioDecodeError(
        name,
        `sample frame ${firstFrame + f} is ${Number.isFinite(sum) ? sum * scale : sum} (NaN or infinite, or overflows float32)`,
      );
  }
  return samples;
}

/** A whole uncompressed file in memory decoded by its layout: every frame, mono. */
export function pcmDecoded(layout: PcmLayout, bytes: Uint8Array, name: string): DecodedAudio {
  const end = layout.dataOffset + layout.frames * layout.frameBytes;
  return {
    samples: pcmFrames(layout, bytes.subarray(layout.dataOffset, end), 0, name),
    sampleRate: layout.sampleRate,
    channels: layout.channels,
    bitDepth: layout.bitDepth,
  };
}
