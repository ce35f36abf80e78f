/**
 * Completeness checks for compressed audio. The wasm decoders decode what they can and stop
 * quietly at a cut: a truncated FLAC, MP3 or Ogg file comes back shorter with no error. These
 * read the lengths the containers themselves declare (FLAC STREAMINFO, an MP3's frame headers
 * and Xing/Info frame count, Ogg page sizes) and say what is missing.
 */

import { bytesSource, type ByteSource } from './stream/byte-source.js';

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
function mp3Frame(src: ByteSource, at: number): Mp3Frame | undefined {
  const head = src.read(at, 4);
  if (head.length < 4) return undefined;
  const b1 = head[1] as number;
  const b2 = head[2] as number;
  const b3 = head[3] as number;
  if (head[0] !== 0xff || (b1 & 0xe0) !== 0xe0 || (b1 & 0x06) !== 0x02) return undefined;
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
  return { length, v1, mono: b3 >> 6 === 3 };
}

/** The frame count a Xing/Info header in the first frame declares (LAME writes one). */
function xingFrames(src: ByteSource, at: number, frame: Mp3Frame): number | undefined {
  const side = frame.v1 ? (frame.mono ? 17 : 32) : frame.mono ? 9 : 17;
  const tag = src.read(at + 4 + side, 12);
  if (tag.length < 12) return undefined;
  const id = String.fromCharCode(...tag.subarray(0, 4));
  if (id !== 'Xing' && id !== 'Info') return undefined;
  return (u32(tag, 4) & 1) === 1 ? u32(tag, 8) : undefined;
}

/**
 * Why an MP3 file is incomplete, or undefined when it is not (or its layout is not one this
 * recognises): the last frame runs past the end of the file, or fewer frames follow than its
 * Xing/Info header declares. Trailing tags (ID3v1, APE) end the walk without complaint.
 */
export function mp3Truncation(input: Uint8Array | ByteSource): string | undefined {
  const src = input instanceof Uint8Array ? bytesSource(input) : input;
  let at = 0;
  const id3 = src.read(0, 10);
  if (id3.length >= 10 && id3[0] === 0x49 && id3[1] === 0x44 && id3[2] === 0x33) {
    const size =
      (((id3[6] as number) & 0x7f) << 21) |
      (((id3[7] as number) & 0x7f) << 14) |
      (((id3[8] as number) & 0x7f) << 7) |
      ((id3[9] as number) & 0x7f);
    at = 10 + size + (((id3[5] as number) & 0x10) !== 0 ? 10 : 0);
  }
  const first = mp3Frame(src, at);
  if (first === undefined) return undefined;
  const declared = xingFrames(src, at, first);
  if (declared !== undefined) at += first.length; // the Info frame carries no audio
  let frames = 0;
  for (let frame = mp3Frame(src, at); frame !== undefined; frame = mp3Frame(src, at)) {
    if (at + frame.length > src.size)
      return `the MP3 stream is truncated: frame ${frames + 1} needs ${frame.length} bytes but the file ends ${src.size - at} bytes into it`;
    frames++;
    at += frame.length;
  }
  if (declared !== undefined && frames < declared)
    return `the MP3 stream is truncated or corrupt: its Info header declares ${declared} frames, the file holds ${frames} readable ones`;
  return undefined;
}

/** The header-type flag of an Ogg page that ends its logical stream. */
const OGG_EOS = 0x04;

/**
 * Why an Ogg file is incomplete, or undefined when it is not: a page (header, segment table or
 * body) runs past the end of the file, or the last page does not end the stream (no
 * end-of-stream flag: the file was cut exactly between two pages). A walk that meets bytes that
 * are no page stops there.
 */
export function oggTruncation(input: Uint8Array | ByteSource): string | undefined {
  const src = input instanceof Uint8Array ? bytesSource(input) : input;
  let at = 0;
  let pages = 0;
  let lastFlags = OGG_EOS;
  for (let head = src.read(at, 27); head.length >= 4 && u32(head, 0) === 0x4f676753 /* OggS */;) {
    const segments = head.length >= 27 ? (head[26] as number) : undefined;
    let size = 27 + (segments ?? 0);
    if (segments !== undefined && at + size <= src.size) {
      lastFlags = head[5] as number;
      const table = src.read(at + 27, segments);
      for (let i = 0; i < segments; i++) size += table[i] as number;
    }
    if (segments === undefined || at + size > src.size)
      return `the Ogg stream is truncated: page ${pages + 1} runs past the end of the file (${src.size - at} of its ${segments === undefined ? 'at least 27' : size} bytes are there)`;
    pages++;
    at += size;
    head = src.read(at, 27);
  }
  if (pages > 0 && (lastFlags & OGG_EOS) === 0)
    return `the Ogg stream is truncated: its last page (page ${pages}) does not end the stream (no end-of-stream flag), so the file was cut between two pages`;
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

/**
 * Why a compressed stream of which `decoded` samples came out is incomplete, or undefined: fewer
 * samples than FLAC's STREAMINFO declares, or an MP3 frame / Ogg page cut off (see
 * {@link mp3Truncation}, {@link oggTruncation}).
 */
export function incompleteStream(
  container: 'flac' | 'ogg-vorbis' | 'mp3',
  decoded: number,
  input: Uint8Array | ByteSource,
): string | undefined {
  const src = input instanceof Uint8Array ? bytesSource(input) : input;
  if (container === 'flac') {
    const declared = flacDeclaredSamples(src.read(0, 26));
    return declared !== undefined && decoded !== declared
      ? `decoded ${decoded} of the ${declared} samples its FLAC header (STREAMINFO) declares: the file is truncated or a frame is corrupt`
      : undefined;
  }
  const cut = container === 'mp3' ? mp3Truncation(src) : oggTruncation(src);
  return cut === undefined ? undefined : `${cut} (${decoded} samples decoded before the cut)`;
}
