import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DataBuildError } from './errors.js';

/** The file every finished build writes last; its presence marks a directory as a complete build. */
export const BUILD_FILE = 'build.json';

/**
 * Runs `fill` on a fresh temporary directory beside `out`, then renames it to `out`, so a build
 * is either absent or complete. A previous complete build in `out` (one with {@link BUILD_FILE})
 * is replaced; any other non-empty `out` is refused. On failure the temporary directory is removed.
 * @throws DataBuildError (`DATA_BUILD_OUT_EXISTS`) when `out` holds something else
 */
export async function buildAtomically<T>(
  out: string,
  fill: (dir: string) => Promise<T>,
): Promise<T> {
  const target = resolve(out);
  if (
    existsSync(target) &&
    readdirSync(target).length > 0 &&
    !existsSync(join(target, BUILD_FILE))
  ) {
    throw new DataBuildError(
      'DATA_BUILD_OUT_EXISTS',
      `--out ${out} exists and is not a dataset build (no ${BUILD_FILE}). Choose an empty or new directory.`,
    );
  }
  mkdirSync(dirname(target), { recursive: true });
  const stamp = `${process.pid}-${Date.now().toString(36)}`;
  const temp = join(dirname(target), `.${basename(target)}.tmp-${stamp}`);
  mkdirSync(temp);
  try {
    const result = await fill(temp);
    if (existsSync(target)) {
      const old = join(dirname(target), `.${basename(target)}.old-${stamp}`);
      renameSync(target, old);
      renameSync(temp, target);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(temp, target);
    }
    return result;
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
}

/** Writes rows as JSON Lines. */
export function writeJsonl(file: string, rows: readonly object[]): void {
  writeFileSync(
    file,
    rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length > 0 ? '\n' : ''),
  );
}

/** What a dataset build wrote. */
export interface BuildSummary {
  /** `gm-speech` or `real-eval`. */
  readonly dataset: string;
  /** The build directory (absolute). */
  readonly out: string;
  /** Audio files written. */
  readonly clips: number;
  /** Rows per manifest file, e.g. `{ "manifest.jsonl": 4000, "heldout-combos.jsonl": 300 }`. */
  readonly manifests: Readonly<Record<string, number>>;
  /** Clips per split or set, e.g. `{ train: 3200, val: 400, ... }`. */
  readonly sets: Readonly<Record<string, number>>;
  /** Wall time of the build in seconds. */
  readonly seconds: number;
}
