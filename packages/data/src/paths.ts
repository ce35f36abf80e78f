import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { DatasetError, PathEscapeError } from './errors.js';

/** Where a path came from, for error messages. */
export interface Origin {
  readonly file?: string;
  readonly line?: number;
}

/**
 * Resolves a dataset-relative path against `root`. A path that escapes the root (`..`, an
 * absolute path elsewhere) is refused unless `allowOutsideRoot` is set, so that a manifest
 * from someone else cannot make the loader read arbitrary files.
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
    const rel = relative(absoluteRoot, full);
    if (
      isAbsolute(path) ||
      rel === '..' ||
      rel.startsWith(`..${'/'}`) ||
      rel.startsWith('..\\') ||
      isAbsolute(rel)
    ) {
      throw new PathEscapeError(path, absoluteRoot, origin);
    }
  }
  return full;
}

/**
 * Throws a {@link DatasetError} naming the file, the row and the fix when `path` does not exist.
 */
export function requireFile(path: string, what: string, origin: Origin = {}): void {
  if (existsSync(path)) return;
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
