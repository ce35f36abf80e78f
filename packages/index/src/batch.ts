import { resolveInsideRoot } from '@clapjs/data';
import { failureOf, type Embedder, type FileFailure } from './embed.js';
import type { IndexRow } from './schema.js';
import type { LibraryIndex } from './store.js';
import { fileId, type LibraryFile } from './walk.js';

/** A named root: rows and jobs carry paths relative to it; each machine maps the name to a directory. */
export interface LibraryRoot {
  readonly name: string;
  readonly path: string;
}

/** What indexing one batch of files did. */
export interface BatchResult {
  /** Files embedded and written now. */
  readonly embedded: number;
  /** Files whose current version was already in the table (nothing done). */
  readonly unchanged: number;
  /** Rows (windows) added. */
  readonly rowsAdded: number;
  /** Files that could not be read or decoded, with their typed errors. */
  readonly failures: readonly FileFailure[];
}

/** The words of a path for the full-text index ("dogs/bark_01.wav" → "dogs bark 01 wav"). */
export function pathWords(path: string): string {
  return path
    .split(/[/\\_\-.\s]+/)
    .filter((w) => w !== '')
    .join(' ');
}

/**
 * Indexes one batch of files of a root: drops rows of older versions of these files, skips files
 * already indexed, embeds the rest and merge-inserts their windows. Safe to repeat (a re-run or a
 * retried job adds nothing) and safe to stop at any point (each write is one LanceDB commit).
 */
export async function indexBatch(
  index: LibraryIndex,
  embedder: Embedder,
  root: LibraryRoot,
  files: readonly LibraryFile[],
): Promise<BatchResult> {
  const ids = files.map((f) => fileId(root.name, f));
  await index.deleteStale(
    root.name,
    files.map((f, i) => ({ path: f.path, id: ids[i] as string })),
  );
  const existing = await index.existingIds(ids);
  const failures: FileFailure[] = [];
  const todo: { file: LibraryFile; id: string; absolute: string }[] = [];
  files.forEach((file, i) => {
    const id = ids[i] as string;
    if (existing.has(id)) return;
    if (file.unreadable !== undefined) {
      failures.push({ path: file.path, ...file.unreadable });
      return;
    }
    try {
      const onDisk = file.member?.shard ?? file.path;
      todo.push({ file, id, absolute: resolveInsideRoot(root.path, onDisk, false) });
    } catch (error) {
      failures.push(failureOf(file.path, error));
    }
  });
  const embedded = await embedder.embedFiles(
    todo.map((t) => ({
      path: t.file.path,
      absolute: t.absolute,
      ...(t.file.member === undefined ? {} : { member: t.file.member }),
    })),
  );
  const rows: IndexRow[] = [];
  let done = 0;
  embedded.forEach((result, i) => {
    const { file, id } = todo[i] as (typeof todo)[number];
    if (!('windows' in result)) {
      failures.push(result);
      return;
    }
    done++;
    for (const w of result.windows)
      rows.push({
        id,
        root: root.name,
        path: file.path,
        window_start: w.start,
        window_end: w.end,
        duration: result.duration,
        config_hash: embedder.identity.configHash,
        weights_hash: embedder.identity.weightsHash,
        caption: file.caption ?? '',
        text:
          file.caption === undefined
            ? pathWords(file.path)
            : `${pathWords(file.path)} ${file.caption}`,
        metadata: JSON.stringify(file.metadata ?? {}),
        vector: Array.from(w.vector),
      });
  });
  const rowsAdded = await index.upsert(rows);
  return { embedded: done, unchanged: existing.size, rowsAdded, failures };
}
