import { readFile } from 'node:fs/promises';
import { ClapError } from '@clapjs/core';
import { decodeAudio, readAudioWindows, resampleFor, type LogMelConfig } from '@clapjs/audio';
import { readShardAudio } from '@clapjs/data';
import type { ClapModel } from '@clapjs/model';
import { IndexError, type ModelIdentity } from './errors.js';
import { modelIdentity } from './identity.js';

/** Clips encoded in one call (bounds the memory of a batch). */
const ENCODE_CHUNK = 16;

/** A file that could not be embedded, with its typed error. */
export interface FileFailure {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/** The embedded windows of one file. */
export interface EmbeddedFile {
  readonly duration: number;
  readonly windows: readonly { start: number; end: number; vector: Float32Array }[];
}

/** Any error as a {@link FileFailure}: ClapErrors keep their code, others become INDEX_FILE_UNREADABLE. */
export function failureOf(path: string, error: unknown): FileFailure {
  if (error instanceof ClapError) return { path, code: error.code, message: error.message };
  const reason = error instanceof Error ? error.message : String(error);
  const wrapped = new IndexError('INDEX_FILE_UNREADABLE', `Could not read ${path}: ${reason}.`);
  return { path, code: wrapped.code, message: wrapped.message };
}

/**
 * Embeds audio and text with one model for an index: decodes and resamples files, cuts them into
 * windows and returns L2-normalised vectors as plain arrays (no tensor outlives a call).
 */
export class Embedder {
  private constructor(
    readonly model: ClapModel,
    readonly identity: ModelIdentity,
    /** The vector size. */
    readonly dim: number,
  ) {}

  /** Wraps a loaded model; `source` (its directory) is recorded in new tables. */
  static async create(model: ClapModel, source?: string): Promise<Embedder> {
    const probe = model.encodeText(['']);
    const dim = probe.shape[1];
    probe.dispose();
    return new Embedder(model, await modelIdentity(model, source), dim);
  }

  private get audio(): LogMelConfig {
    return this.model.config.audio as LogMelConfig;
  }

  /** Decoded samples at the model's rate. */
  async decode(input: string | Uint8Array, name?: string): Promise<Float32Array> {
    const bytes = typeof input === 'string' ? await readFile(input) : input;
    const decoded = await decodeAudio(bytes, {
      name: name ?? (typeof input === 'string' ? input : '<upload>'),
    });
    return resampleFor(this.audio, decoded.samples, decoded.sampleRate);
  }

  /** Embeds clips (samples at the model's rate), `ENCODE_CHUNK` at a time. */
  async embedClips(clips: readonly Float32Array[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < clips.length; i += ENCODE_CHUNK) {
      const embedded = this.model.encodeAudio(clips.slice(i, i + ENCODE_CHUNK));
      try {
        const [rows, dim] = embedded.shape;
        const data = (await embedded.data()) as Float32Array;
        for (let r = 0; r < rows; r++) out.push(data.slice(r * dim, (r + 1) * dim));
      } finally {
        embedded.dispose();
      }
    }
    return out;
  }

  /** The vector of a text query. */
  async embedText(text: string): Promise<Float32Array> {
    const embedded = this.model.encodeText([text]);
    try {
      return Float32Array.from((await embedded.data()) as Float32Array);
    } finally {
      embedded.dispose();
    }
  }

  /**
   * The vector of an example clip, for query by example: the model's embedding of the whole clip
   * (a clip longer than one window is the mean over its windows, L2-normalised).
   */
  async embedExample(input: string | Uint8Array, name?: string): Promise<Float32Array> {
    const [vector] = await this.embedClips([await this.decode(input, name)]);
    return vector as Float32Array;
  }

  /**
   * Embeds files: each read window by window (`readAudioWindows`: decoded, resampled and cut as
   * it streams, the windows `fileWindows` gives for the whole clip) and encoded `ENCODE_CHUNK`
   * windows at a time across files, so memory stays bounded by a chunk of windows whatever the
   * files' lengths. A file that fails, up front or partway through its stream, is returned as a
   * {@link FileFailure} with its typed error instead (never thrown). A WebDataset sample
   * (`member`: `absolute` is then its shard) is read by offset from the shard, then streamed the same way.
   */
  async embedFiles(
    files: readonly {
      path: string;
      absolute: string;
      member?: { readonly offset: number; readonly size: number };
    }[],
  ): Promise<(EmbeddedFile | FileFailure)[]> {
    type Row = { start: number; end: number; vector: Float32Array };
    const results: (EmbeddedFile | FileFailure)[] = [];
    let pending: { rows: Row[]; start: number; end: number; samples: Float32Array }[] = [];
    const flush = async () => {
      const vectors = await this.embedClips(pending.map((p) => p.samples));
      pending.forEach((p, i) =>
        p.rows.push({ start: p.start, end: p.end, vector: vectors[i] as Float32Array }),
      );
      pending = [];
    };
    for (const file of files) {
      const rows: Row[] = [];
      try {
        const input =
          file.member === undefined
            ? file.absolute
            : await readShardAudio(file.absolute, { audio: { name: file.path, ...file.member } });
        const read = await readAudioWindows(input, this.audio, { name: file.path });
        for await (const window of read.windows()) {
          pending.push({
            rows,
            start: window.span.start / read.sampleRate,
            end: window.span.end / read.sampleRate,
            samples: window.samples,
          });
          if (pending.length >= ENCODE_CHUNK) await flush();
        }
        results.push({ duration: read.numSamples / read.sampleRate, windows: rows });
      } catch (error) {
        pending = pending.filter((p) => p.rows !== rows);
        results.push(failureOf(file.path, error));
      }
    }
    await flush();
    return results;
  }
}
