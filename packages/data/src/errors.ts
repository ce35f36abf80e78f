import { ClapError } from '@clapjs/core';

/**
 * A dataset could not be read: a missing file, a bad row, an empty dataset, an index out of
 * range. `code` is stable (e.g. `DATASET_EMPTY`, `DATASET_ROW_INVALID`, `DATASET_FILE_MISSING`);
 * `file` and `line` say where, when known.
 */
export class DatasetError extends ClapError {
  /** The file the problem is in, when there is one. */
  readonly file: string | undefined;
  /** The 1-based line of `file`, when the problem is in one row. */
  readonly line: number | undefined;

  constructor(
    code: string,
    message: string,
    where: { file?: string; line?: number } = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.file = where.file;
    this.line = where.line;
  }
}

/** A path in a dataset resolves outside the dataset root and `allowOutsideRoot` is off. */
export class PathEscapeError extends DatasetError {
  /** The path as written in the dataset. */
  readonly path: string;

  constructor(path: string, root: string, where: { file?: string; line?: number } = {}) {
    const at =
      where.file === undefined
        ? ''
        : ` (${where.file}${where.line === undefined ? '' : `:${where.line}`})`;
    super(
      'DATASET_PATH_ESCAPES_ROOT',
      `The audio path "${path}"${at} resolves outside the dataset root ${root} (symlinks followed). ` +
        `Paths must stay inside the root (no "..", no absolute paths); move the file under the root, ` +
        `or set allowOutsideRoot: true in the dataset config if you trust this manifest.`,
      where,
    );
    this.path = path;
  }
}

/** An audio file could not be decoded; the loader skips it (counted) or rethrows this. */
export class CorruptAudioError extends DatasetError {
  /** The id of the dataset item whose audio is corrupt. */
  readonly itemId: string;

  constructor(itemId: string, source: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      'DATASET_AUDIO_CORRUPT',
      `Could not decode the audio of item "${itemId}" (${source}): ${reason}. ` +
        `Replace or remove the file, or create the DataLoader with onCorrupt: 'skip' to skip such items (they are counted in loader.skipped).`,
      { file: source },
      { cause },
    );
    this.itemId = itemId;
  }
}

/** Builds the stable "dataset is empty" error. */
export function emptyDatasetError(what: string, fix: string, file?: string): DatasetError {
  return new DatasetError(
    'DATASET_EMPTY',
    `${what} has no items. ${fix}`,
    file === undefined ? {} : { file },
  );
}
