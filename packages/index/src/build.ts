import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { indexBatch, type LibraryRoot } from './batch.js';
import type { Embedder, FileFailure } from './embed.js';
import { IndexError } from './errors.js';
import { buildIndexes, type IndexOptions, type IndexReport } from './indexes.js';
import { sqlString } from './schema.js';
import type { LibraryIndex } from './store.js';
import { libraryFiles } from './manifest.js';
import { shardOfPath } from './shards.js';
import { batchesOf } from './walk.js';

/** Files per batch when none is given: bounds memory (decoded audio + vectors of one batch). */
export const DEFAULT_BATCH_FILES = 32;

/** A progress report after each batch. */
export interface BuildProgress {
  readonly done: number;
  readonly total: number;
  readonly filesPerSecond: number;
  /** Seconds left at the current rate (Infinity before the first batch). */
  readonly etaSeconds: number;
}

/** Options of {@link buildLibrary}. */
export interface BuildOptions {
  /** The directory to index (walked recursively). */
  readonly root: string;
  /** The root's name in rows (default: `library`). Workers on other machines map it to their copy. */
  readonly rootName?: string;
  /**
   * A manifest (@clapjs/data's JSONL/CSV format) listing the files to index, with captions and
   * metadata, instead of every audio file under the root.
   */
  readonly manifest?: string;
  readonly batchFiles?: number;
  /** Remove rows of files under this root that no longer exist. */
  readonly prune?: boolean;
  /** Build the ANN and full-text indexes at the end (default true). */
  readonly indexes?: boolean;
  /** Which indexes to build at the end (default: the ANN index from its row threshold, and the full-text one). */
  readonly indexOptions?: IndexOptions;
  readonly onProgress?: (progress: BuildProgress) => void;
}

/** What {@link buildLibrary} did. */
export interface BuildSummary {
  readonly files: number;
  /** Files embedded now, and the rows (windows) they added. */
  readonly embedded: number;
  readonly rowsAdded: number;
  readonly unchanged: number;
  readonly pruned: number;
  readonly failures: readonly FileFailure[];
  readonly indexes?: IndexReport;
}

/** The root's name when none is given. */
export const DEFAULT_ROOT_NAME = 'library';

/** Counts the audio files under a root (a walk without reading any file). */
export async function countAudioFiles(root: string, manifest?: string): Promise<number> {
  let n = 0;
  for await (const _ of libraryFiles(root, manifest)) n++;
  return n;
}

/** Checks that `path` is a readable directory, with a typed error naming it. */
export async function requireRoot(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    await access(absolute);
    return absolute;
  } catch {
    throw new IndexError(
      'INDEX_ROOT_MISSING',
      `The library root ${absolute} does not exist or cannot be read. Give an existing directory.`,
    );
  }
}

/** Progress so far: rate over the whole build and the ETA at that rate. */
export function progressOf(done: number, total: number, elapsedSeconds: number): BuildProgress {
  const filesPerSecond = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
  return {
    done,
    total,
    filesPerSecond,
    etaSeconds: filesPerSecond > 0 ? (total - done) / filesPerSecond : Infinity,
  };
}

/**
 * Indexes every audio file under a root into a library table, in bounded batches: resumable
 * (stop it any time; a re-run embeds only what is missing) and idempotent (a re-run adds
 * nothing). Undecodable files are reported in the summary, never thrown.
 * @throws ModelMismatchError when the table was built with another model
 */
export async function buildLibrary(
  index: LibraryIndex,
  embedder: Embedder,
  options: BuildOptions,
): Promise<BuildSummary> {
  const root: LibraryRoot = {
    name: options.rootName ?? DEFAULT_ROOT_NAME,
    path: await requireRoot(options.root),
  };
  await index.ensureTable(embedder.identity, embedder.dim, { [root.name]: root.path });
  const total = await countAudioFiles(root.path, options.manifest);
  const started = performance.now();
  let files = 0;
  let embedded = 0;
  let rowsAdded = 0;
  let unchanged = 0;
  const failures: FileFailure[] = [];
  for await (const batch of batchesOf(
    libraryFiles(root.path, options.manifest),
    options.batchFiles ?? DEFAULT_BATCH_FILES,
  )) {
    const result = await indexBatch(index, embedder, root, batch);
    files += batch.length;
    embedded += result.embedded;
    rowsAdded += result.rowsAdded;
    unchanged += result.unchanged;
    failures.push(...result.failures);
    options.onProgress?.(
      progressOf(files, Math.max(total, files), (performance.now() - started) / 1000),
    );
  }
  const pruned = options.prune === true ? await pruneMissing(index, root) : 0;
  return {
    files,
    embedded,
    rowsAdded,
    unchanged,
    pruned,
    failures,
    ...(options.indexes === false
      ? {}
      : { indexes: await buildIndexes(index, options.indexOptions) }),
  };
}

/** Deletes the rows of files of `root` that no longer exist there; returns how many rows went. */
export async function pruneMissing(index: LibraryIndex, root: LibraryRoot): Promise<number> {
  const table = await index.table();
  const gone = new Set<string>();
  const stream = table
    .query()
    .where(`root = ${sqlString(root.name)}`)
    .select(['path']);
  for await (const batch of stream) {
    const column = batch.getChild('path');
    for (let i = 0; i < batch.numRows; i++) {
      const path = String(column?.get(i));
      if (gone.has(path)) continue;
      try {
        // A shard's sample goes with its shard (one dropped from a shard that still exists keeps
        // its rows: only the shard's presence is checked).
        await access(resolve(root.path, shardOfPath(path) ?? path));
      } catch {
        gone.add(path);
      }
    }
  }
  let pruned = 0;
  const paths = [...gone];
  for (let i = 0; i < paths.length; i += 500)
    pruned += await index.deleteWhere(
      `root = ${sqlString(root.name)} AND path IN (${paths
        .slice(i, i + 500)
        .map(sqlString)
        .join(', ')})`,
    );
  return pruned;
}
