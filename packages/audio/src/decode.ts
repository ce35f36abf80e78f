import { decodeAiff } from './aiff/decode-aiff.js';
import { incompleteStream, withQuietConsole } from './decode-integrity.js';
import { AudioDecodeError } from './errors.js';
import { MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, type DecodedAudio } from './types.js';
import { decodeWav } from './wav/decode-wav.js';

/** Options for {@link decodeAudio}. */
export interface DecodeAudioOptions {
  /** The name used in error messages; defaults to the path, or `<buffer>` for bytes. */
  name?: string;
}

/** The container a file's first bytes announce. */
export type AudioContainer = 'wav' | 'aiff' | 'flac' | 'ogg-vorbis' | 'mp3';

/** What the wasm decoders return (the shape shared by @wasm-audio-decoders/* and mpg123-decoder). */
export interface WasmDecoded {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  /** Bits per sample in the stream (FLAC); lossy codecs report a nominal value. */
  bitDepth?: number;
  errors: { message: string }[];
}

/** A compressed container's name in messages. */
export function containerLabel(container: AudioContainer): string {
  return container === 'ogg-vorbis' ? 'Ogg Vorbis' : container.toUpperCase();
}

/**
 * Bit depths whose FLAC samples come back exactly: @wasm-audio-decoders/flac 0.2.11 returns
 * float32(s / (2^(b−1) − 1)) for an integer sample s (measured for 8, 16 and 24 bits), so
 * round(x · (2^(b−1) − 1)) recovers s exactly and s / 2^(b−1) is WAV's scaling.
 */
const FLAC_EXACT_DEPTHS = [8, 16, 24];

function startsWith(bytes: Uint8Array, text: string, at = 0): boolean {
  if (bytes.length < at + text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

function findAscii(bytes: Uint8Array, text: string, limit: number): boolean {
  const end = Math.min(bytes.length, limit) - text.length;
  for (let i = 0; i <= end; i++) if (startsWith(bytes, text, i)) return true;
  return false;
}

/**
 * Names the container from a file's first bytes (magic numbers, not the file extension).
 * Throws {@link AudioDecodeError} for anything that is not WAV, AIFF/AIFF-C, FLAC, Ogg Vorbis or MP3.
 */
export function sniffContainer(bytes: Uint8Array, name = '<buffer>'): AudioContainer {
  if (bytes.length === 0) throw new AudioDecodeError(name, 'the file is empty (0 bytes)');
  if (startsWith(bytes, 'RIFF') || startsWith(bytes, 'RIFX') || startsWith(bytes, 'RF64'))
    return 'wav';
  if (startsWith(bytes, 'FORM') && (startsWith(bytes, 'AIFF', 8) || startsWith(bytes, 'AIFC', 8)))
    return 'aiff';
  if (startsWith(bytes, 'fLaC')) return 'flac';
  if (startsWith(bytes, 'OggS')) {
    // The first Ogg page carries the codec's identification header.
    if (findAscii(bytes, '\x01vorbis', 512)) return 'ogg-vorbis';
    if (findAscii(bytes, 'OpusHead', 512))
      throw new AudioDecodeError(name, 'Ogg Opus is not supported (Ogg Vorbis is)');
    throw new AudioDecodeError(name, 'an Ogg file whose codec is not Vorbis');
  }
  if (startsWith(bytes, 'ID3')) return 'mp3';
  // An MPEG audio frame header: 11 sync bits, a valid version and layer III.
  if (
    bytes.length >= 4 &&
    bytes[0] === 0xff &&
    ((bytes[1] as number) & 0xe0) === 0xe0 &&
    ((bytes[1] as number) & 0x06) === 0x02
  ) {
    return 'mp3';
  }
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new AudioDecodeError(
    name,
    `unknown audio format (first bytes ${head}); expected WAV, AIFF, FLAC, Ogg Vorbis or MP3`,
  );
}

/**
 * Averages channels to mono the way {@link decodeWav} does (a float64 sum over channels in
 * order, times 1 / channels), so the same samples give the same floats from every container.
 */
export function averageChannels(
  channels: Float32Array[],
  length: number,
  sample: (x: number) => number,
): Float32Array {
  const out = new Float32Array(length);
  const scale = 1 / channels.length;
  for (let i = 0; i < length; i++) {
    let sum = 0;
    for (const channel of channels) sum += sample(channel[i] as number);
    out[i] = sum * scale;
  }
  return out;
}

/** Undoes the FLAC decoder's 1 / (2^(b−1) − 1) scaling: integer s comes back as s / 2^(b−1). */
export function flacSample(bitDepth: number, name: string): (x: number) => number {
  if (!FLAC_EXACT_DEPTHS.includes(bitDepth))
    throw new AudioDecodeError(
      name,
      `${bitDepth}-bit FLAC is not supported (8, 16 and 24-bit FLAC are read)`,
    );
  const max = 2 ** (bitDepth - 1);
  return (x) => Math.round(x * (max - 1)) / max;
}

/** Runs one of the wasm decoders and turns its result into checked mono audio. */
async function decodeCompressed(
  container: Exclude<AudioContainer, 'wav' | 'aiff'>,
  bytes: Uint8Array,
  name: string,
): Promise<DecodedAudio> {
  let decoded: WasmDecoded;
  try {
    decoded = await withQuietConsole(() => runDecoder(container, bytes));
  } catch (cause) {
    throw new AudioDecodeError(
      name,
      `the ${container} decoder failed: ${(cause as Error)?.message ?? String(cause)}`,
      { cause },
    );
  }
  return checkDecoded(container, decoded, bytes, name);
}

/** Runs the wasm decoder for a container over the whole file. */
async function runDecoder(
  container: Exclude<AudioContainer, 'wav' | 'aiff'>,
  bytes: Uint8Array,
): Promise<WasmDecoded> {
  // Imported on demand: each decoder inlines its wasm, and most users only ever read WAV.
  if (container === 'flac') {
    const { FLACDecoder } = await import('@wasm-audio-decoders/flac');
    return useDecoder(new FLACDecoder(), (d) => d.decodeFile(bytes));
  }
  if (container === 'ogg-vorbis') {
    const { OggVorbisDecoder } = await import('@wasm-audio-decoders/ogg-vorbis');
    return useDecoder(new OggVorbisDecoder(), (d) => d.decodeFile(bytes));
  }
  const { MPEGDecoder } = await import('mpg123-decoder');
  return useDecoder(new MPEGDecoder(), (d) => d.decode(bytes));
}

/** Waits for a wasm decoder, runs it, and frees its memory whatever happens. */
export async function useDecoder<D extends { ready: Promise<void>; free(): void }>(
  decoder: D,
  decode: (decoder: D) => WasmDecoded | Promise<WasmDecoded>,
): Promise<WasmDecoded> {
  await decoder.ready;
  try {
    return await decode(decoder);
  } finally {
    decoder.free();
  }
}

/**
 * Turns a decoder's result into checked mono audio: bad frames, a stream shorter than its
 * container declares, an impossible rate or a non-finite sample are each an AudioDecodeError.
 */
function checkDecoded(
  container: Exclude<AudioContainer, 'wav' | 'aiff'>,
  decoded: WasmDecoded,
  bytes: Uint8Array,
  name: string,
): DecodedAudio {
  const label = containerLabel(container);
  if (decoded.errors.length > 0) {
    throw new AudioDecodeError(
      name,
      `corrupt ${label} data (${decoded.errors.length} bad frames; first: ${decoded.errors[0]?.message})`,
    );
  }
  const length = decoded.samplesDecoded;
  if (length === 0 || decoded.channelData.length === 0)
    throw new AudioDecodeError(
      name,
      `no ${label} audio frames could be decoded (corrupt or empty file)`,
    );
  const short = incompleteStream(container, length, bytes);
  if (short !== undefined) throw new AudioDecodeError(name, short);
  const rate = decoded.sampleRate;
  if (!(rate >= MIN_SAMPLE_RATE && rate <= MAX_SAMPLE_RATE))
    throw new AudioDecodeError(name, `the ${label} stream declares a sample rate of ${rate} Hz`);
  const flac = container === 'flac';
  const bitDepth = flac ? (decoded.bitDepth ?? 0) : null;
  const samples = averageChannels(
    decoded.channelData,
    length,
    flac ? flacSample(bitDepth as number, name) : (x) => x,
  );
  for (let i = 0; i < length; i++) {
    if (!Number.isFinite(samples[i]))
      throw new AudioDecodeError(name, `sample ${i} is ${samples[i]} (NaN or infinite)`);
  }
  return { samples, sampleRate: rate, channels: decoded.channelData.length, bitDepth };
}

export async function readBytes(path: string): Promise<Uint8Array> {
  // A dynamic import keeps node:fs out of browser bundles that never pass a path.
  const { readFile } = await import(
    /* webpackIgnore: true */ /* @vite-ignore */ 'node:fs/promises'
  );
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new AudioDecodeError(
      path,
      `the file cannot be read (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`,
      { cause },
    );
  }
}

/**
 * Decodes WAV, AIFF/AIFF-C, FLAC, Ogg Vorbis or MP3 to mono float samples. The container is
 * recognised from the bytes; WAV and AIFF are parsed here ({@link decodeWav},
 * {@link decodeAiff}), the others by pinned wasm decoders (@wasm-audio-decoders/flac,
 * @wasm-audio-decoders/ogg-vorbis, mpg123-decoder) that run in Node and in browsers. Channels
 * are averaged; the original sample rate, channel count and bit depth are reported (see
 * {@link resample}). Integer samples are scaled by 2^(bits − 1) in every lossless container, so
 * a WAV, an AIFF and a FLAC of the same samples decode to identical floats.
 *
 * @param input a file path (Node only), or the file's bytes
 * @throws AudioDecodeError naming the file and the reason for any bad or unsupported input
 */
export async function decodeAudio(
  input: string | ArrayBuffer | Uint8Array,
  options: DecodeAudioOptions = {},
): Promise<DecodedAudio> {
  let bytes: Uint8Array;
  let name = options.name;
  if (typeof input === 'string') {
    name ??= input;
    bytes = await readBytes(input);
  } else if (input instanceof Uint8Array) {
    bytes = input;
  } else if (
    input instanceof ArrayBuffer ||
    Object.prototype.toString.call(input) === '[object ArrayBuffer]'
  ) {
    // The tag check also accepts ArrayBuffers from another realm (a worker, an iframe, vm).
    bytes = new Uint8Array(input);
  } else {
    throw new AudioDecodeError(
      name ?? '<input>',
      'decodeAudio needs a path, an ArrayBuffer or a Uint8Array',
    );
  }
  name ??= '<buffer>';
  const container = sniffContainer(bytes, name);
  if (container === 'wav') return decodeWav(bytes, name);
  if (container === 'aiff') return decodeAiff(bytes, name);
  return decodeCompressed(container, bytes, name);
}
