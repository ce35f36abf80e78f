import { existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';
import { CliError } from './errors.js';

/** The file that marks a directory as written by `clapjs export` (so a later export may replace it). */
export const EXPORT_MARKER = '.clapjs-export';

/** The nearest existing ancestor of `path` must be a directory, or writing under it cannot work. */
function requireDirectoryParent(path: string, what: string): void {
  let at = dirname(path);
  while (!existsSync(at) && at !== parse(at).root) at = dirname(at);
  if (existsSync(at) && !statSync(at).isDirectory()) {
    throw new CliError(
      'OUT_PARENT_NOT_DIR',
      `Cannot write ${what} ${path}: ${at} is a file, not a directory. Choose an output path under a directory.`,
    );
  }
}

/**
 * Checks that `out` may receive an export: it does not exist, or it is an empty directory, or a
 * directory an earlier `clapjs export` wrote (it holds {@link EXPORT_MARKER}). Anything else is
 * refused, so `--out .` or `--out ~/Music` can never delete what is not ours.
 * @throws CliError `EXPORT_TARGET` naming the directory
 */
export function checkExportTarget(out: string): void {
  requireDirectoryParent(out, 'the export');
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) {
    throw new CliError(
      'EXPORT_TARGET',
      `Refusing to export to ${out}: it is a file. Give --out a new directory (or one an earlier clapjs export wrote).`,
    );
  }
  const entries = readdirSync(out);
  if (entries.length > 0 && !entries.includes(EXPORT_MARKER)) {
    throw new CliError(
      'EXPORT_TARGET',
      `Refusing to export to ${out}: the directory holds ${entries.length} file(s) that clapjs export did not write (no ${EXPORT_MARKER}). Give --out a new or empty directory.`,
    );
  }
}

/**
 * Moves a completed temporary directory into place as `out`: marks it as ours, then renames it
 * over `out` (the old export is renamed aside first and deleted only once the new one is in
 * place), so `out` is at every moment either the old export or the new one.
 */
export function replaceWithExport(tmp: string, out: string): void {
  writeFileSync(
    join(tmp, EXPORT_MARKER),
    'written by clapjs export; a later export may replace this directory\n',
  );
  checkExportTarget(out);
  if (!existsSync(out)) {
    renameSync(tmp, out);
    return;
  }
  const old = `${out}.old-${process.pid}`;
  rmSync(old, { recursive: true, force: true });
  renameSync(out, old);
  renameSync(tmp, out);
  rmSync(old, { recursive: true, force: true });
}
