/**
 * Completeness checks for compressed audio. The wasm decoders decode what they can and stop
 * quietly at a cut: a truncated FLAC, MP3 or Ogg file comes back shorter with no error. These
 * read the lengths the containers themselves declare (FLAC STREAMINFO, an MP3's frame headers
 * and Xing/Info frame count, Ogg page sizes) and say what is missing.
 */

function u32(bytes: Uint8Array, at: number): number {
  return (
    (((bytes[at] as number) << 24) >>> 0) +
    ((bytes[at + 1] as number) << 16) +
    ((bytes[at + 2] as number) << 8) +
    (bytes[at + 3] as number)
  );
}

/**
 * The total samples per channel a FLAC file's STREAMINFO declares (36 bits), or undefined when
 * the header is missing or says 0 ("unknown", allowed by the format for streamed encodes).
 */
export function flacDeclaredSamples(bytes: Uint8Array): number | undefined {
  // "fLaC", a 4-byte block header (type 0 = STREAMINFO, always first), then 34 bytes; the total
  // is the low 4 bits of data byte 13 followed by data bytes 14–17.
  if (bytes.length < 8 + 18 || ((bytes[4] as number) & 0x7f) !== 0) return undefined;
  const total = ((bytes[21] as number) & 0x0f) * 2 ** 32 + u32(bytes, 22);
  return total > 0 ? total : undefined;
}

const MP3_BITRATES_V1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const MP3_BITRATES_V2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const MP3_RATES_V1 = [44100, 48000, 32000];

interface Mp3Frame {
  readonly length: number;
  /** MPEG-1 (vs 2 / 2.5), which sets the side-information size. */
  readonly v1: boolean;
  readonly mono: boolean;
}

/** Parses a layer III frame header at `at`, or undefined when there is none. */
function mp3Frame(bytes: Uint8Array, at: number): Mp3Frame | undefined {
  if (at + 4 > bytes.length) return undefined;
  const b1 = bytes[at + 1] as number;
  const b2 = bytes[at + 2] as number;
  if (bytes[at] !== 0xff || (b1 & 0xe0) !== 0xe0 || (b1 & 0x06) !== 0x02) return undefined;
  const version = (b1 >> 3) & 3; // 0 = 2.5, 2 = 2, 3 = 1
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (version === 1 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3)
    return undefined;
  const v1 = version === 3;
  const bitrate = (v1 ? MP3_BITRATES_V1 : MP3_BITRATES_V2)[bitrateIndex] as number;
  const rate = (MP3_RATES_V1[rateIndex] as number) / (v1 ? 1 : version === 2 ? 2 : 4);
  const padding = (b2 >> 1) & 1;
  const length = Math.floor(((v1 ? 144000 : 72000) * bitrate) / rate) + padding;
  return { length, v1, mono: (bytes[at + 3] as number) >> 6 === 3 };
}

/** The frame count a Xing/Info header in the first frame declares (LAME writes one). */
function xingFrames(bytes: Uint8Array, at: number, frame: Mp3Frame): number | undefined {
  const side = frame.v1 ? (frame.mono ? 17 : 32) : frame.mono ? 9 : 17;
  const tag = at + 4 + side;
  if (tag + 12 > bytes.length) return undefined;
  const id = String.fromCharCode(...bytes.subarray(tag, tag + 4));
  if (id !== 'Xing' && id !== 'Info') return undefined;
  return (u32(bytes, tag + 4) & 1) === 1 ? u32(bytes, tag + 8) : undefined;
}

/**
 * Why an MP3 file is incomplete, or undefined when it is not (or its layout is not one this
 * recognises): the last frame runs past the end of the file, or fewer frames follow than its
 * Xing/Info header declares. Trailing tags (ID3v1, APE) end the walk without complaint.
 */
export function mp3Truncation(bytes: Uint8Array): string | undefined {
  let at = 0;
  if (bytes.length >= 10 && bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33) {
    const size =
      (((bytes[6] as number) & 0x7f) << 21) |
      (((bytes[7] as number) & 0x7f) << 14) |
      (((bytes[8] as number) & 0x7f) << 7) |
      ((bytes[9] as number) & 0x7f);
    at = 10 + size + (((bytes[5] as number) & 0x10) !== 0 ? 10 : 0);
  }
  const first = mp3Frame(bytes, at);
  if (first === undefined) return undefined;
  const declared = xingFrames(bytes, at, first);
  if (declared !== undefined) at += first.length; // the Info frame carries no audio
  let frames = 0;
  for (let frame = mp3Frame(bytes, at); frame !== undefined; frame = mp3Frame(bytes, at)) {
    if (at + frame.length > bytes.length)
      return `the MP3 stream is truncated: frame ${frames + 1} needs ${frame.length} bytes but the file ends ${bytes.length - at} bytes into it`;
    frames++;
    at += frame.length;
  }
  if (declared !== undefined && frames < declared)
    return `the MP3 stream is truncated or corrupt: its Info header declares ${declared} frames, the file holds ${frames} readable ones`;
  return undefined;
}

/**
 * Why an Ogg file is incomplete, or undefined when it is not: a page (header, segment table or
 * body) runs past the end of the file. A walk that meets bytes that are no page stops there.
 */
export function oggTruncation(bytes: Uint8Array): string | undefined {
  let at = 0;
  let pages = 0;
  while (at + 4 <= bytes.length && u32(bytes, at) === 0x4f676753 /* OggS */) {
    const segments = at + 27 <= bytes.length ? (bytes[at + 26] as number) : undefined;
    let size = 27 + (segments ?? 0);
    if (segments !== undefined && at + size <= bytes.length)
      for (let i = 0; i < segments; i++) size += bytes[at + 27 + i] as number;
    if (segments === undefined || at + size > bytes.length)
      return `the Ogg stream is truncated: page ${pages + 1} runs past the end of the file (${bytes.length - at} of its ${segments === undefined ? 'at least 27' : size} bytes are there)`;
    pages++;
    at += size;
  }
  return undefined;
}

/**
 * Runs `decode` with console.log/info/warn/error silenced, restoring them after: the wasm
 * decoders print a line per bad frame, which the caller gets as a typed error instead.
 */
export async function withQuietConsole<T>(decode: () => T | Promise<T>): Promise<T> {
  const saved = {
    log: console.log,
    info: console.info,
    warn: console.warn,
    error: console.error,
  };
  const quiet = (): void => undefined;
  Object.assign(console, { log: quiet, info: quiet, warn: quiet, error: quiet });
  try {
    return await decode();
  } finally {
    Object.assign(console, saved);
  }
}
