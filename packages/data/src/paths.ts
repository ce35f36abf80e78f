import { existsSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { DatasetError, PathEscapeError } from './errors.js';

/** Where a path came from, for error messages. */
export interface Origin {
  readonly file?: string;
  readonly line?: number;
}

function escapes(root: string, full: string): boolean {
  const rel = relative(root, full);
  return rel === '..' || rel.startsWith(`..${'/'}`) || rel.startsWith('..\\') || isAbsolute(rel);
}

/**
 * Resolves a dataset-relative path against `root`. A path that escapes the root (`..`, an
 * absolute path elsewhere, or a symlink whose real path lies outside the root's real path) is
 * refused unless `allowOutsideRoot` is set, so that a manifest or a folder from someone else
 * cannot make the loader read arbitrary files.
 * @throws PathEscapeError when the path leaves the root and `allowOutsideRoot` is false
 */
export function resolveInsideRoot(
  root: string,
  path: string,
  allowOutsideRoot: boolean,
  origin: Origin = {},
): string {
  const absoluteRoot = resolve(root);
  const full = resolve(absoluteRoot, path);
  if (!allowOutsideRoot) {
    if (isAbsolute(path) || escapes(absoluteRoot, full)) {
      throw new PathEscapeError(path, absoluteRoot, origin);
    }
    // Symlinks: compare real paths (only when the file exists; a missing one fails later).
    if (existsSync(full) && escapes(realpathSync(absoluteRoot), realpathSync(full))) {
      throw new PathEscapeError(path, absoluteRoot, origin);
    }
  }
  return full;
}

/**
 * Throws a {@link DatasetError} naming the file, the row and the fix when `path` does not exist
 * or is not a regular file (a directory, a FIFO or a device would block or fail when read);
 * `directoryOk` also accepts a directory.
 */
export function requireFile(
  path: string,
  what: string,
  origin: Origin = {},
  directoryOk = false,
): void {
  if (existsSync(path)) {
    const stat = statSync(path);
    if (stat.isFile() || (directoryOk && stat.isDirectory())) return;
    throw new DatasetError(
      'DATASET_NOT_A_FILE',
      `${what} ${path} is ${stat.isDirectory() ? 'a directory' : 'not a regular file (a FIFO, socket or device)'}; give the path of a regular file${directoryOk ? ' or a directory' : ''}.`,
      { file: path },
    );
  }
  const at =
    origin.file === undefined
      ? ''
      : ` (referenced at ${origin.file}${origin.line === undefined ? '' : `:${origin.line}`})`;
  throw new DatasetError(
    'DATASET_FILE_MISSING',
    `${what} ${path} does not exist${at}. Check the dataset root and the path, or remove that row.`,
    origin.file === undefined
      ? { file: path }
      : { file: origin.file, ...(origin.line === undefined ? {} : { line: origin.line }) },
  );
}
