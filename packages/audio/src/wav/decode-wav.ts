import { AudioDecodeError } from '../errors.js';
import { pcmDecoded, type PcmLayout } from '../pcm.js';
import { bytesSource, type ByteSource } from '../stream/byte-source.js';
import { MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, type DecodedAudio } from '../types.js';

const FORMAT_PCM = 0x0001;
const FORMAT_FLOAT = 0x0003;
const FORMAT_EXTENSIBLE = 0xfffe;
/** The tail every KSDATAFORMAT_SUBTYPE GUID shares after its 16-bit format tag. */
const SUBFORMAT_TAIL = [
  0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
];
const MAX_CHANNELS = 256;
/** Writers that stream set the RIFF or data size to 0 or 0xFFFFFFFF: "unknown, read to the end". */
const UNKNOWN_SIZE = 0xffffffff;
const CODEC_NAMES: Record<number, string> = {
  0x0002: 'MS ADPCM',
  0x0006: 'A-law',
  0x0007: 'mu-law',
  0x0011: 'IMA ADPCM',
  0x0050: 'MPEG',
  0x0055: 'MP3',
};

interface WavFormat {
  float: boolean;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign: number;
}

function ascii(view: DataView, offset: number): string {
  return String.fromCharCode(
    view.getUint8(offset),
    view.getUint8(offset + 1),
    view.getUint8(offset + 2),
    view.getUint8(offset + 3),
  );
}

function parseFormat(
  view: DataView,
  offset: number,
  size: number,
  fail: (r: string) => never,
): WavFormat {
  if (size < 16) fail(`the fmt chunk is ${size} bytes, expected at least 16`);
  let tag = view.getUint16(offset, true);
  const channels = view.getUint16(offset + 2, true);
  const sampleRate = view.getUint32(offset + 4, true);
  const blockAlign = view.getUint16(offset + 12, true);
  const bitsPerSample = view.getUint16(offset + 14, true);
  if (tag === FORMAT_EXTENSIBLE) {
    if (size < 40) fail(`WAVE_FORMAT_EXTENSIBLE needs a 40-byte fmt chunk, got ${size}`);
    tag = view.getUint16(offset + 24, true);
    for (let i = 0; i < SUBFORMAT_TAIL.length; i++) {
      if (view.getUint8(offset + 26 + i) !== SUBFORMAT_TAIL[i])
        fail('WAVE_FORMAT_EXTENSIBLE has an unknown sub-format GUID');
    }
  }
  if (tag !== FORMAT_PCM && tag !== FORMAT_FLOAT) {
    const name = CODEC_NAMES[tag] ?? 'unknown';
    fail(
      `unsupported WAV codec 0x${tag.toString(16).padStart(4, '0')} (${name}); only PCM integer and IEEE float are read`,
    );
  }
  const float = tag === FORMAT_FLOAT;
  const validBits = float ? [32, 64] : [8, 16, 24, 32];
  if (!validBits.includes(bitsPerSample)) {
    fail(
      `${bitsPerSample}-bit ${float ? 'float' : 'PCM'} samples are not supported (expected ${validBits.join(', ')})`,
    );
  }
  if (channels < 1 || channels > MAX_CHANNELS)
    fail(`the header declares ${channels} channels (expected 1 to ${MAX_CHANNELS})`);
  if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    fail(
      `the header declares a sample rate of ${sampleRate} Hz (expected ${MIN_SAMPLE_RATE} to ${MAX_SAMPLE_RATE})`,
    );
  }
  if (blockAlign !== (channels * bitsPerSample) / 8) {
    fail(`block align ${blockAlign} does not match ${channels} channels of ${bitsPerSample} bits`);
  }
  return { float, channels, sampleRate, bitsPerSample, blockAlign };
}

/** Reads one sample at `offset` as a float in [-1, 1) (integers) or as stored (floats). */
function sampleReader(format: WavFormat, view: DataView): (offset: number) => number {
  if (format.float) {
    return format.bitsPerSample === 32
      ? (o) => view.getFloat32(o, true)
      : (o) => view.getFloat64(o, true);
  }
  switch (format.bitsPerSample) {
    case 8:
      return (o) => (view.getUint8(o) - 128) / 128; // 8-bit WAV is unsigned
    case 16:
      return (o) => view.getInt16(o, true) / 32768;
    case 24:
      return (o) =>
        (view.getUint8(o) | (view.getUint8(o + 1) << 8) | (view.getInt8(o + 2) << 16)) / 8388608;
    default:
      return (o) => view.getInt32(o, true) / 2147483648;
  }
}

/** The fmt chunk's fields read (40 bytes for WAVE_FORMAT_EXTENSIBLE). */
const FORMAT_BYTES = 40;

/**
 * Parses a RIFF/WAVE file's header through `src` (the chunk list up to the data chunk) and says
 * where its sample frames lie; nothing past the header is read. Errors as {@link decodeWav}.
 */
export function wavLayout(src: ByteSource, name = '<buffer>'): PcmLayout {
  const fail = (reason: string): never => {
    throw new AudioDecodeError(name, reason);
  };
  if (src.size < 12) fail(`the file is ${src.size} bytes, too short for a WAV header`);
  const head = src.read(0, 12);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  // The messages never echo the file's bytes: the file may be something private given by mistake.
  if (ascii(view, 0) !== 'RIFF') fail('not a WAV file: it does not start with "RIFF"');
  if (ascii(view, 8) !== 'WAVE') {
    const form = ascii(view, 8);
    fail(
      `a RIFF file${/^[\x20-\x7e]{4}$/.test(form) ? ` of form type "${form}"` : ''}, not "WAVE": not a WAV file (an AVI or WebP, perhaps)`,
    );
  }
  const riffSize = view.getUint32(4, true);
  let end = src.size;
  if (riffSize !== 0 && riffSize !== UNKNOWN_SIZE) {
    if (riffSize < 4) fail(`the RIFF size ${riffSize} is smaller than its own "WAVE" tag`);
    if (riffSize + 8 > src.size) {
      fail(
        `the RIFF header declares ${riffSize + 8} bytes but the file has ${src.size} (truncated, or a wrong RIFF size)`,
      );
    }
    end = riffSize + 8;
  }

  let format: WavFormat | undefined;
  let dataOffset = -1;
  let dataSize = 0;
  let offset = 12;
  while (offset + 8 <= end) {
    const chunk = src.read(offset, 8);
    const chunkView = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const id = ascii(chunkView, 0);
    let size = chunkView.getUint32(4, true);
    const body = offset + 8;
    if (
      id === 'data' &&
      (size === UNKNOWN_SIZE || size === 0) &&
      format !== undefined &&
      body < end
    ) {
      size = end - body; // streamed writer never patched the size: the data runs to the end
    }
    if (body + size > end)
      fail(
        `the "${id.replace(/[^\x20-\x7e]/g, '?')}" chunk declares ${size} bytes but only ${end - body} remain (truncated file)`,
      );
    if (id === 'fmt ') {
      // A copy: the parser reads it while src may reuse its buffer. Uint8Array.from, not slice: a
      // Node Buffer's slice is a view into the whole file, and the DataView below starts at 0.
      const fmt = Uint8Array.from(src.read(body, Math.min(size, FORMAT_BYTES)));
      format = parseFormat(new DataView(fmt.buffer), 0, size, fail);
    } else if (id === 'data') {
      dataOffset = body;
      dataSize = size;
      break;
    }
    offset = body + size + (size & 1); // chunks are padded to an even length
  }
  if (format === undefined) fail('no "fmt " chunk before the audio data');
  if (dataOffset < 0) fail('no "data" chunk');
  const fmt = format as WavFormat;
  const frames = Math.floor(dataSize / fmt.blockAlign);
  if (frames === 0) fail('the data chunk holds no complete sample frame (zero-length audio)');
  return {
    sampleRate: fmt.sampleRate,
    channels: fmt.channels,
    bitDepth: fmt.bitsPerSample,
    frames,
    dataOffset,
    frameBytes: fmt.blockAlign,
    reader: (v) => sampleReader(fmt, v),
  };
}

/**
 * Decodes a RIFF/WAVE file held in memory: PCM 8/16/24/32-bit integer, IEEE float 32/64-bit and
 * WAVE_FORMAT_EXTENSIBLE with either, any channel count (averaged to mono). Unknown chunks are
 * skipped; a missing or truncated chunk, an unsupported codec, an impossible header field,
 * empty audio or a NaN/Infinity sample raise {@link AudioDecodeError}.
 *
 * @param bytes the whole file
 * @param name the file name used in error messages
 */
export function decodeWav(bytes: Uint8Array, name = '<buffer>'): DecodedAudio {
  return pcmDecoded(wavLayout(bytesSource(bytes), name), bytes, name);
}
