import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { createHash } from 'node:crypto';
import { SHARD_EXTENSION, shardFiles } from './shards.js';

/** Extensions the walk picks up (lower case, without the dot). */
export const AUDIO_EXTENSIONS = ['wav', 'flac', 'mp3', 'ogg', 'aiff', 'aif'] as const;

const AUDIO = new RegExp(`\\.(${AUDIO_EXTENSIONS.join('|')})$`, 'i');

/** One audio file found under a root. */
export interface LibraryFile {
  /** Path relative to the root, with `/` separators (what rows and jobs carry). */
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** Captions from a manifest (joined with " | "): stored in the row and full-text indexed. */
  readonly caption?: string;
  /** User metadata from a manifest (captions, label, split), stored as the row's JSON metadata. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /**
   * For a sample of a WebDataset shard: the shard (path relative to the root) and where the
   * sample's audio lies in it.
   */
  readonly member?: { readonly shard: string; readonly offset: number; readonly size: number };
  /** Why the entry cannot be indexed (a damaged shard): reported as a skipped file. */
  readonly unreadable?: { readonly code: string; readonly message: string };
}

const SHARD = new RegExp(`\\.${SHARD_EXTENSION}$`, 'i');

/**
 * Every audio file under `root`, and every sample of the WebDataset shards (`.tar`) there, depth
 * first, each directory in name order (so two walks of one tree give one order). Streams: memory
 * is one directory listing (or one shard's headers) at a time, whatever the library size.
 * Symbolic links are not followed (a link could lead out of the root).
 */
export function walkAudioFiles(root: string): AsyncGenerator<LibraryFile> {
  return walk(root, root);
}

async function* walk(dir: string, root: string): AsyncGenerator<LibraryFile> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      yield* walk(full, root);
    } else if (entry.isFile() && AUDIO.test(entry.name)) {
      const info = await stat(full);
      yield { path: toPosix(relative(root, full)), size: info.size, mtimeMs: info.mtimeMs };
    } else if (entry.isFile() && SHARD.test(entry.name)) {
      yield* shardFiles(full, toPosix(relative(root, full)), await stat(full));
    }
  }
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/**
 * A file's stable id: sha256 of its root name, relative path, size and modification time (16 hex
 * digits), and of its manifest caption and metadata when it has them. A changed file (new size or
 * mtime) or a changed manifest row gets a new id and is written again.
 */
export function fileId(rootName: string, file: LibraryFile): string {
  const hash = createHash('sha256').update(
    `${rootName}\0${file.path}\0${file.size}\0${Math.round(file.mtimeMs)}`,
  );
  if (file.caption !== undefined || file.metadata !== undefined)
    hash.update(`\0${file.caption ?? ''}\0${JSON.stringify(file.metadata ?? {})}`);
  return hash.digest('hex').slice(0, 16);
}

/** Groups a stream into arrays of at most `size` (the last may be shorter). */
export async function* batchesOf<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
