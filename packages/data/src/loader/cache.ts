import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogMel } from '@clapjs/audio';
import { DatasetError } from '../errors.js';

const MAGIC = 0x314d4c43; // "CLM1" little-endian
const HEADER_BYTES = 12;

/**
 * An on-disk cache of log-mel spectrograms, keyed by a content hash (the audio's bytes or
 * samples, the front-end config and the padding), so a clip is decoded and transformed once
 * however many epochs read it, and a changed file or config never hits a stale entry.
 * Entries are written to a temporary file and renamed, so a reader never sees a partial one.
 */
export class LogMelCache {
  constructor(readonly dir: string) {}

  /** The key of some content: hex SHA-256 over the given parts in order. */
  static key(parts: readonly (string | Uint8Array)[]): string {
    const hash = createHash('sha256');
    for (const part of parts) {
      // Length-prefix each part so that two different splits of the same bytes differ.
      hash.update(String(typeof part === 'string' ? part.length : part.byteLength) + ':');
      hash.update(part);
    }
    return hash.digest('hex');
  }

  private path(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.lmel`);
  }

  /** The cached spectrogram, or undefined when absent or unreadable (then recomputed). */
  async get(key: string): Promise<LogMel | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.path(key));
    } catch {
      return undefined;
    }
    if (bytes.byteLength < HEADER_BYTES) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const frames = view.getUint32(4, true);
    const melBins = view.getUint32(8, true);
    if (
      view.getUint32(0, true) !== MAGIC ||
      bytes.byteLength !== HEADER_BYTES + frames * melBins * 4
    )
      return undefined;
    const data = new Float32Array(frames * melBins);
    new Uint8Array(data.buffer).set(bytes.subarray(HEADER_BYTES));
    return { data, frames, melBins };
  }

  /**
   * Stores a spectrogram atomically (temporary file + rename).
   * @throws DatasetError `DATASET_CACHE_WRITE` when the entry cannot be written (disk full,
   *   read-only): the temporary file is removed and earlier entries stay as they were
   */
  async set(key: string, logMel: LogMel): Promise<void> {
    const file = this.path(key);
    await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
    const bytes = new Uint8Array(HEADER_BYTES + logMel.data.byteLength);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, MAGIC, true);
    view.setUint32(4, logMel.frames, true);
    view.setUint32(8, logMel.melBins, true);
    bytes.set(
      new Uint8Array(logMel.data.buffer, logMel.data.byteOffset, logMel.data.byteLength),
      HEADER_BYTES,
    );
    const temp = `${file}.tmp-${process.pid}-${Math.floor(performance.now() * 1000)}`;
    try {
      await writeFile(temp, bytes);
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      throw new DatasetError(
        'DATASET_CACHE_WRITE',
        `Cannot write to the log-mel cache ${this.dir} (${code ?? String(error)}); earlier entries are intact. Free disk space, or set data.cacheDir to a disk with room (or remove it to compute spectrograms each time).`,
        {},
        { cause: error },
      );
    }
  }
}
