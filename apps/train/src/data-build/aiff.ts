import type { DecodedAudio } from '@clapjs/audio';
import { DataBuildError } from './errors.js';

/** Reads an 80-bit IEEE 754 extended float (AIFF's sample-rate field). */
function extended(view: DataView, at: number): number {
  const exponent = view.getUint16(at) & 0x7fff;
  const hi = view.getUint32(at + 2);
  const lo = view.getUint32(at + 6);
  if (exponent === 0 && hi === 0 && lo === 0) return 0;
  return (hi * 2 ** 32 + lo) * 2 ** (exponent - 16383 - 63);
}

/**
 * Decodes uncompressed AIFF (big-endian PCM, 8/16/24/32 bits), averaged to mono. Some Hydrogen
 * drum kits ship AIFF, which @clapjs/audio's decodeAudio does not read.
 * @throws DataBuildError (`DATA_BUILD_AUDIO`) for anything else (AIFF-C compression, no sound data)
 */
export function decodeAiff(bytes: Uint8Array, name: string): DecodedAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number): string => String.fromCharCode(...bytes.subarray(at, at + 4));
  const fail = (why: string): never => {
    throw new DataBuildError('DATA_BUILD_AUDIO', `${name}: not a readable AIFF file (${why}).`);
  };
  if (bytes.length < 12 || tag(0) !== 'FORM' || (tag(8) !== 'AIFF' && tag(8) !== 'AIFC'))
    fail('no FORM/AIFF header');
  let channels = 0;
  let frames = 0;
  let bits = 0;
  let sampleRate = 0;
  let data: { at: number; length: number } | undefined;
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = tag(at);
    const size = view.getUint32(at + 4);
    const body = at + 8;
    if (id === 'COMM') {
      channels = view.getUint16(body);
      frames = view.getUint32(body + 2);
      bits = view.getUint16(body + 6);
      sampleRate = extended(view, body + 8);
      if (tag(8) === 'AIFC' && size >= 22 && !['NONE', 'twos'].includes(tag(body + 18)))
        fail(`compressed AIFF-C (${tag(body + 18)})`);
    } else if (id === 'SSND') {
      data = { at: body + 8 + view.getUint32(body), length: size - 8 };
    }
    at = body + size + (size % 2);
  }
  if (data === undefined || channels === 0 || sampleRate <= 0) fail('no COMM or SSND chunk');
  if (![8, 16, 24, 32].includes(bits)) fail(`${bits}-bit samples`);
  const width = bits / 8;
  const available = Math.floor(
    Math.min(data!.length, bytes.length - data!.at) / (width * channels),
  );
  const count = Math.min(frames, available);
  const samples = new Float32Array(count);
  const scale = 1 / (2 ** (bits - 1) * channels);
  for (let f = 0; f < count; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) {
      const at = data!.at + (f * channels + c) * width;
      sum +=
        bits === 8
          ? view.getInt8(at)
          : bits === 16
            ? view.getInt16(at)
            : bits === 24
              ? (view.getInt16(at) << 8) | view.getUint8(at + 2)
              : view.getInt32(at);
    }
    samples[f] = sum * scale;
  }
  return { samples, sampleRate: Math.round(sampleRate) };
}
