import {
  averageChannels,
  containerLabel,
  flacSample,
  sniffContainer,
  type AudioContainer,
  type WasmDecoded,
} from '../decode.js';
import { flacDeclaredSamples, incompleteStream, withQuietConsole } from '../decode-integrity.js';
import { aiffLayout } from '../aiff/decode-aiff.js';
import { AudioArgumentError, AudioDecodeError } from '../errors.js';
import { pcmFrames } from '../pcm.js';
import { MAX_SAMPLE_RATE, MIN_SAMPLE_RATE } from '../types.js';
import { wavLayout } from '../wav/decode-wav.js';
import { bytesSource, fileSource, type ByteSource } from './byte-source.js';

/** Bytes of the file read per chunk (about 6–60 s of compressed audio, 3–12 s of PCM). */
const CHUNK_BYTES = 1 << 20;

/** Options for {@link streamAudio} and {@link measureAudio}. */
export interface StreamAudioOptions {
  /** The name used in error messages; defaults to the path, or `<buffer>` for bytes. */
  name?: string;
  /** Bytes of the file read per chunk (default 1 MiB); any size gives the same samples. */
  chunkBytes?: number;
}

/** A run of consecutive mono samples of a file, at its own rate. */
export interface AudioChunk {
  readonly samples: Float32Array;
  readonly sampleRate: number;
}

/** A file's length: sample frames per channel at its own rate. */
export interface AudioLength {
  readonly frames: number;
  readonly sampleRate: number;
}

/** A decoder fed the file piece by piece (the wasm decoders' streaming calls). */
interface ChunkDecoder {
  decode(bytes: Uint8Array): Promise<WasmDecoded>;
  /** What the decoder still holds at the end of the file. */
  flush(): Promise<WasmDecoded | undefined>;
  free(): void;
}

async function openSource(input: string | Uint8Array): Promise<ByteSource> {
  return typeof input === 'string' ? fileSource(input) : bytesSource(input);
}

/** Opens the wasm decoder of a compressed container for streaming (imported on demand). */
async function chunkDecoder(container: 'flac' | 'ogg-vorbis' | 'mp3'): Promise<ChunkDecoder> {
  if (container === 'flac') {
    const { FLACDecoder } = await import('@wasm-audio-decoders/flac');
    const d = new FLACDecoder();
    await d.ready;
    return { decode: (b) => d.decode(b), flush: () => d.flush(), free: () => d.free() };
  }
  if (container === 'ogg-vorbis') {
    const { OggVorbisDecoder } = await import('@wasm-audio-decoders/ogg-vorbis');
    const d = new OggVorbisDecoder();
    await d.ready;
    return { decode: (b) => d.decode(b), flush: () => d.flush(), free: () => d.free() };
  }
  const { MPEGDecoder } = await import('mpg123-decoder');
  const d = new MPEGDecoder();
  await d.ready;
  return {
    decode: async (b) => d.decode(b),
    flush: async () => undefined, // mpg123 emits each frame as soon as it is complete
    free: () => d.free(),
  };
}

/**
 * Decodes a compressed file piece by piece: at most one piece of the file and its samples are
 * in memory. The checks are those of `decodeAudio` (bad frames, the length STREAMINFO declares,
 * cut MP3 frames and Ogg pages, the rate, finite samples), made as the stream goes or at its end.
 */
async function* compressedChunks(
  container: 'flac' | 'ogg-vorbis' | 'mp3',
  src: ByteSource,
  name: string,
  chunkBytes: number,
): AsyncGenerator<AudioChunk> {
  const label = containerLabel(container);
  const decoder = await chunkDecoder(container);
  let total = 0;
  let rate: number | undefined;
  let sample: ((x: number) => number) | undefined;
  const take = (decoded: WasmDecoded | undefined): AudioChunk | undefined => {
    if (decoded === undefined) return undefined;
    if (decoded.errors.length > 0)
      throw new AudioDecodeError(
        name,
        `corrupt ${label} data (${decoded.errors.length} bad frames; first: ${decoded.errors[0]?.message})`,
      );
    const length = decoded.samplesDecoded;
    if (length === 0 || decoded.channelData.length === 0) return undefined;
    if (rate === undefined) {
      rate = decoded.sampleRate;
      if (!(rate >= MIN_SAMPLE_RATE && rate <= MAX_SAMPLE_RATE))
        throw new AudioDecodeError(
          name,
          `the ${label} stream declares a sample rate of ${rate} Hz`,
        );
      sample = container === 'flac' ? flacSample(decoded.bitDepth ?? 0, name) : (x) => x;
    }
    const samples = averageChannels(decoded.channelData, length, sample as (x: number) => number);
    for (let i = 0; i < length; i++)
      if (!Number.isFinite(samples[i]))
        throw new AudioDecodeError(name, `sample ${total + i} is ${samples[i]} (NaN or infinite)`);
    total += length;
    return { samples, sampleRate: rate };
  };
  try {
    for (let at = 0; at < src.size; at += chunkBytes) {
      // A copy: the decoder may keep a view of what it was given until the next call.
      const piece = src.read(at, chunkBytes).slice();
      const chunk = take(await withQuietConsole(() => decoder.decode(piece)));
      if (chunk !== undefined) yield chunk;
    }
    const last = take(await withQuietConsole(() => decoder.flush()));
    if (last !== undefined) yield last;
  } finally {
    decoder.free();
  }
  if (total === 0)
    throw new AudioDecodeError(
      name,
      `no ${label} audio frames could be decoded (corrupt or empty file)`,
    );
  const short = incompleteStream(container, total, src);
  if (short !== undefined) throw new AudioDecodeError(name, short);
}

/** Reads a WAV or AIFF file's frames a chunk at a time (seeking, never the whole file). */
async function* pcmChunks(
  container: 'wav' | 'aiff',
  src: ByteSource,
  name: string,
  chunkBytes: number,
): AsyncGenerator<AudioChunk> {
  const layout = container === 'wav' ? wavLayout(src, name) : aiffLayout(src, name);
  const chunkFrames = Math.max(1, Math.floor(chunkBytes / layout.frameBytes));
  for (let f = 0; f < layout.frames; f += chunkFrames) {
    const count = Math.min(chunkFrames, layout.frames - f);
    const bytes = src.read(layout.dataOffset + f * layout.frameBytes, count * layout.frameBytes);
    yield { samples: pcmFrames(layout, bytes, f, name), sampleRate: layout.sampleRate };
  }
}

function containerOf(src: ByteSource, name: string): AudioContainer {
  return sniffContainer(src.read(0, 512).slice(), name);
}

/**
 * Decodes audio as a stream of mono chunks at the file's own rate, so a long file is never in
 * memory whole: WAV and AIFF are read by seeking to their frames, FLAC, Ogg Vorbis and MP3 are
 * fed to their wasm decoders a megabyte at a time. The chunks joined are exactly what
 * `decodeAudio` returns for the same file, and every check it makes is made (a cut or damaged
 * file throws {@link AudioDecodeError}, at the latest when the stream ends).
 *
 * @param input a file path (Node only), or the file's bytes
 */
export async function* streamAudio(
  input: string | Uint8Array,
  options: StreamAudioOptions = {},
): AsyncGenerator<AudioChunk> {
  const name = options.name ?? (typeof input === 'string' ? input : '<buffer>');
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  if (!(Number.isInteger(chunkBytes) && chunkBytes > 0))
    throw new AudioArgumentError(
      `streamAudio: chunkBytes must be a positive integer, got ${chunkBytes}`,
    );
  const src = await openSource(input);
  try {
    const container = containerOf(src, name);
    if (container === 'wav' || container === 'aiff')
      yield* pcmChunks(container, src, name, chunkBytes);
    else yield* compressedChunks(container, src, name, chunkBytes);
  } finally {
    src.close();
  }
}

/** The FLAC sample rate STREAMINFO declares (20 bits from data byte 10). */
function flacRate(head: Uint8Array): number {
  return ((head[18] as number) << 12) | ((head[19] as number) << 4) | ((head[20] as number) >> 4);
}

/**
 * A file's length in sample frames and its rate, from its header where the header declares
 * them (WAV, AIFF, FLAC with a STREAMINFO total) — otherwise (MP3, Ogg Vorbis) by decoding it
 * once as a stream, which also checks it — in bounded memory either way.
 */
export async function measureAudio(
  input: string | Uint8Array,
  options: StreamAudioOptions = {},
): Promise<AudioLength> {
  const name = options.name ?? (typeof input === 'string' ? input : '<buffer>');
  const src = await openSource(input);
  try {
    const container = containerOf(src, name);
    if (container === 'wav' || container === 'aiff') {
      const layout = container === 'wav' ? wavLayout(src, name) : aiffLayout(src, name);
      return { frames: layout.frames, sampleRate: layout.sampleRate };
    }
    if (container === 'flac') {
      const head = src.read(0, 26);
      const frames = flacDeclaredSamples(head);
      const sampleRate = flacRate(head);
      if (frames !== undefined && sampleRate >= MIN_SAMPLE_RATE && sampleRate <= MAX_SAMPLE_RATE)
        return { frames, sampleRate };
    }
  } finally {
    src.close();
  }
  let frames = 0;
  let sampleRate = 0;
  for await (const chunk of streamAudio(input, { ...options, name })) {
    frames += chunk.samples.length;
    sampleRate = chunk.sampleRate;
  }
  return { frames, sampleRate };
}
