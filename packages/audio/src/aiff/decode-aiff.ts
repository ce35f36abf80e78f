import { AudioDecodeError } from '../errors.js';
import { pcmDecoded, type PcmLayout } from '../pcm.js';
import { bytesSource, type ByteSource } from '../stream/byte-source.js';
import { MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, type DecodedAudio } from '../types.js';

const MAX_CHANNELS = 256;

/** AIFF-C compression types read here: integer PCM (big- or little-endian) and IEEE float. */
const CODECS: Record<string, { float: boolean; littleEndian: boolean }> = {
  NONE: { float: false, littleEndian: false },
  twos: { float: false, littleEndian: false },
  sowt: { float: false, littleEndian: true },
  fl32: { float: true, littleEndian: false },
  FL32: { float: true, littleEndian: false },
  fl64: { float: true, littleEndian: false },
  FL64: { float: true, littleEndian: false },
};

/** Reads an 80-bit IEEE 754 extended float (the COMM chunk's sample rate). */
function extended(view: DataView, at: number): number {
  const exponent = view.getUint16(at) & 0x7fff;
  const hi = view.getUint32(at + 2);
  const lo = view.getUint32(at + 6);
  if (exponent === 0 && hi === 0 && lo === 0) return 0;
  const value = (hi * 2 ** 32 + lo) * 2 ** (exponent - 16383 - 63);
  return view.getUint8(at) & 0x80 ? -value : value;
}

interface AiffFormat {
  channels: number;
  frames: number;
  bits: number;
  sampleRate: number;
  float: boolean;
  littleEndian: boolean;
}

function sampleReader(format: AiffFormat, view: DataView): (offset: number) => number {
  const le = format.littleEndian;
  if (format.float)
    return format.bits === 32 ? (o) => view.getFloat32(o, le) : (o) => view.getFloat64(o, le);
  switch (format.bits) {
    case 8:
      return (o) => view.getInt8(o) / 128; // AIFF 8-bit is signed (WAV's is not)
    case 16:
      return (o) => view.getInt16(o, le) / 32768;
    case 24:
      return le
        ? (o) =>
            (view.getUint8(o) | (view.getUint8(o + 1) << 8) | (view.getInt8(o + 2) << 16)) / 8388608
        : (o) =>
            ((view.getInt8(o) << 16) | (view.getUint8(o + 1) << 8) | view.getUint8(o + 2)) /
            8388608;
    default:
      return (o) => view.getInt32(o, le) / 2147483648;
  }
}

/** The COMM fields read (26 bytes with AIFF-C's compression type). */
const COMM_BYTES = 26;

/**
 * Parses an AIFF/AIFF-C file's chunk list through `src` and says where its sample frames lie;
 * only chunk headers, COMM and the SSND offset are read. Errors as {@link decodeAiff}.
 */
export function aiffLayout(src: ByteSource, name = '<buffer>'): PcmLayout {
  const fail = (reason: string): never => {
    throw new AudioDecodeError(name, reason);
  };
  const tag = (at: number): string =>
    String.fromCharCode(...src.read(at, 4)).replace(/[^\x20-\x7e]/g, '?');
  const u32 = (at: number): number => {
    const b = src.read(at, 4);
    return b.length < 4 ? 0 : new DataView(b.buffer, b.byteOffset, 4).getUint32(0);
  };
  if (src.size < 12 || tag(0) !== 'FORM' || (tag(8) !== 'AIFF' && tag(8) !== 'AIFC'))
    fail('not an AIFF file (no FORM/AIFF or FORM/AIFC header)');
  const aifc = tag(8) === 'AIFC';
  const end = Math.min(src.size, u32(4) + 8);
  let format: AiffFormat | undefined;
  let data: { at: number; length: number } | undefined;
  for (let at = 12; at + 8 <= end;) {
    const id = tag(at);
    const size = u32(at + 4);
    const body = at + 8;
    if (body + size > end && id !== 'SSND')
      fail(
        `the "${id}" chunk declares ${size} bytes but only ${end - body} remain (truncated file)`,
      );
    if (id === 'COMM') {
      if (size < 18) fail(`the COMM chunk is ${size} bytes, expected at least 18`);
      let codec = CODECS.NONE as { float: boolean; littleEndian: boolean };
      if (aifc) {
        if (size < 22) fail(`the AIFF-C COMM chunk is ${size} bytes, expected at least 22`);
        const type = tag(body + 18);
        const known = CODECS[type];
        if (known === undefined)
          fail(
            `compressed AIFF-C ('${type}') is not supported; only PCM (NONE, twos, sowt) and float (fl32, fl64) are read`,
          );
        codec = known as typeof codec;
      }
      // Uint8Array.from, not slice: a Node Buffer's slice is a view into the whole file.
      const comm = Uint8Array.from(src.read(body, COMM_BYTES));
      const view = new DataView(comm.buffer);
      format = {
        channels: view.getUint16(0),
        frames: view.getUint32(2),
        bits: view.getUint16(6),
        sampleRate: extended(view, 8),
        ...codec,
      };
    } else if (id === 'SSND') {
      if (size < 8) fail(`the SSND chunk is ${size} bytes, expected at least 8`);
      const start = body + 8 + u32(body);
      // A truncated file keeps the frames it still holds only if whole ones remain: see below.
      data = { at: start, length: Math.min(size - 8, end - start) };
    }
    at = body + size + (size % 2); // chunks are padded to an even length
  }
  if (format === undefined) fail('no COMM chunk');
  if (data === undefined) fail('no SSND chunk');
  const fmt = format as AiffFormat;
  const valid = fmt.float ? [32, 64] : [8, 16, 24, 32];
  if (!valid.includes(fmt.bits))
    fail(
      `${fmt.bits}-bit ${fmt.float ? 'float' : 'PCM'} samples are not supported (expected ${valid.join(', ')})`,
    );
  if (fmt.channels < 1 || fmt.channels > MAX_CHANNELS)
    fail(`the header declares ${fmt.channels} channels (expected 1 to ${MAX_CHANNELS})`);
  if (!(fmt.sampleRate >= MIN_SAMPLE_RATE && fmt.sampleRate <= MAX_SAMPLE_RATE))
    fail(
      `the header declares a sample rate of ${fmt.sampleRate} Hz (expected ${MIN_SAMPLE_RATE} to ${MAX_SAMPLE_RATE})`,
    );
  const width = fmt.bits / 8;
  const ssnd = data as { at: number; length: number };
  const available = Math.floor(Math.max(0, ssnd.length) / (width * fmt.channels));
  if (available < fmt.frames)
    fail(
      `the COMM chunk declares ${fmt.frames} sample frames but the SSND chunk holds ${available} (truncated file)`,
    );
  if (fmt.frames === 0) fail('the file holds no sample frames (zero-length audio)');
  return {
    sampleRate: Math.round(fmt.sampleRate),
    channels: fmt.channels,
    bitDepth: fmt.bits,
    frames: fmt.frames,
    dataOffset: ssnd.at,
    frameBytes: width * fmt.channels,
    reader: (v) => sampleReader(fmt, v),
  };
}

/**
 * Decodes an AIFF or AIFF-C file held in memory: big-endian PCM 8/16/24/32-bit, AIFF-C `NONE`,
 * `twos` and `sowt` (little-endian) PCM and `fl32`/`fl64` float, any channel count averaged to
 * mono. Integers are scaled by 2^(bits − 1), as WAV is, so the same samples decode to the same
 * floats from either container. Compressed AIFF-C (`ulaw`, `ima4`, …), a missing or truncated
 * chunk, an impossible header field, empty audio or a non-finite sample raise
 * {@link AudioDecodeError}.
 *
 * @param bytes the whole file
 * @param name the file name used in error messages
 */
export function decodeAiff(bytes: Uint8Array, name = '<buffer>'): DecodedAudio {
  return pcmDecoded(aiffLayout(bytesSource(bytes), name), bytes, name);
}
