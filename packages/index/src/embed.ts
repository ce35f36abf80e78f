import { readFile } from 'node:fs/promises';
import { ClapError } from '@clapjs/core';
import { decodeAudio, resampleFor, type LogMelConfig } from '@clapjs/audio';
import type { ClapModel } from '@clapjs/model';
import { IndexError, type ModelIdentity } from './errors.js';
import { modelIdentity } from './identity.js';
import { fileWindows, type FileWindow } from './windows.js';

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

  /** The windows of decoded samples (see `fileWindows`): one row each. */
  windows(samples: Float32Array): FileWindow[] {
    return fileWindows(samples, this.audio);
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
   * Embeds files: each decoded, windowed and encoded; a file that fails is returned as a
   * {@link FileFailure} with its typed error instead (never thrown).
   */
  async embedFiles(
    files: readonly { path: string; absolute: string }[],
  ): Promise<(EmbeddedFile | FileFailure)[]> {
    const decoded = await Promise.all(
      files.map(async (file) => {
        try {
          const samples = await this.decode(file.absolute, file.path);
          return {
            duration: samples.length / this.audio.sampleRate,
            windows: this.windows(samples),
          };
        } catch (error) {
          return failureOf(file.path, error);
        }
      }),
    );
    const clips = decoded.flatMap((d) => ('windows' in d ? d.windows.map((w) => w.samples) : []));
    const vectors = await this.embedClips(clips);
    let next = 0;
    return decoded.map((d) =>
      'windows' in d
        ? {
            duration: d.duration,
            windows: d.windows.map((w) => ({
              start: w.start,
              end: w.end,
              vector: vectors[next++] as Float32Array,
            })),
          }
        : d,
    );
  }
}
