import { AudioDecodeError } from './errors.js';
import { MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, type DecodedAudio } from './types.js';
import { decodeWav } from './wav/decode-wav.js';

/** Options for {@link decodeAudio}. */
export interface DecodeAudioOptions {
  /** The name used in error messages; defaults to the path, or `<buffer>` for bytes. */
  name?: string;
}

/** The container a file's first bytes announce. */
export type AudioContainer = 'wav' | 'flac' | 'ogg-vorbis' | 'mp3';

/** What the wasm decoders return (the shape shared by @wasm-audio-decoders/* and mpg123-decoder). */
interface WasmDecoded {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: { message: string }[];
}

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
 * Throws {@link AudioDecodeError} for anything that is not WAV, FLAC, Ogg Vorbis or MP3.
 */
export function sniffContainer(bytes: Uint8Array, name = '<buffer>'): AudioContainer {
  if (bytes.length === 0) throw new AudioDecodeError(name, 'the file is empty (0 bytes)');
  if (startsWith(bytes, 'RIFF') || startsWith(bytes, 'RIFX') || startsWith(bytes, 'RF64'))
    return 'wav';
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
    `unknown audio format (first bytes ${head}); expected WAV, FLAC, Ogg Vorbis or MP3`,
  );
}

function averageChannels(channels: Float32Array[], length: number): Float32Array {
  const out = new Float32Array(length);
  const scale = 1 / channels.length;
  for (const channel of channels)
    for (let i = 0; i < length; i++) out[i] = (out[i] as number) + (channel[i] as number);
  if (channels.length > 1) for (let i = 0; i < length; i++) out[i] = (out[i] as number) * scale;
  return out;
}

/** Runs one of the wasm decoders and turns its result into checked mono audio. */
async function decodeCompressed(
  container: Exclude<AudioContainer, 'wav'>,
  bytes: Uint8Array,
  name: string,
): Promise<DecodedAudio> {
  // Imported on demand: each decoder inlines its wasm, and most users only ever read WAV.
  let decoded: WasmDecoded;
  try {
    if (container === 'flac') {
      const { FLACDecoder } = await import('@wasm-audio-decoders/flac');
      const decoder = new FLACDecoder();
      await decoder.ready;
      try {
        decoded = await decoder.decodeFile(bytes);
      } finally {
        decoder.free();
      }
    } else if (container === 'ogg-vorbis') {
      const { OggVorbisDecoder } = await import('@wasm-audio-decoders/ogg-vorbis');
      const decoder = new OggVorbisDecoder();
      await decoder.ready;
      try {
        decoded = await decoder.decodeFile(bytes);
      } finally {
        decoder.free();
      }
    } else {
      const { MPEGDecoder } = await import('mpg123-decoder');
      const decoder = new MPEGDecoder();
      await decoder.ready;
      try {
        decoded = decoder.decode(bytes);
      } finally {
        decoder.free();
      }
    }
  } catch (cause) {
    throw new AudioDecodeError(
      name,
      `the ${container} decoder failed: ${(cause as Error)?.message ?? String(cause)}`,
      { cause },
    );
  }
  const label = container === 'ogg-vorbis' ? 'Ogg Vorbis' : container.toUpperCase();
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
  const rate = decoded.sampleRate;
  if (!(rate >= MIN_SAMPLE_RATE && rate <= MAX_SAMPLE_RATE))
    throw new AudioDecodeError(name, `the ${label} stream declares a sample rate of ${rate} Hz`);
  const samples = averageChannels(decoded.channelData, length);
  for (let i = 0; i < length; i++) {
    if (!Number.isFinite(samples[i]))
      throw new AudioDecodeError(name, `sample ${i} is ${samples[i]} (NaN or infinite)`);
  }
  return { samples, sampleRate: rate };
}

async function readBytes(path: string): Promise<Uint8Array> {
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
 * Decodes WAV, FLAC, Ogg Vorbis or MP3 to mono float samples. The container is recognised from
 * the bytes; WAV is parsed here ({@link decodeWav}), the others by pinned wasm decoders
 * (@wasm-audio-decoders/flac, @wasm-audio-decoders/ogg-vorbis, mpg123-decoder) that run in
 * Node and in browsers. Channels are averaged; the original sample rate is kept (see
 * {@link resample}).
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
  return decodeCompressed(container, bytes, name);
}
