import { existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';
import { CliError } from './errors.js';

/** The file that marks a directory as written by `clapjs export` (so a later export may replace it). */
export const EXPORT_MARKER = '.clapjs-export';

/**
 * What an export writes at its top level: a directory holding only these (an export made before
 * the marker existed) is ours too, and replacing it deletes nothing else.
 */
const EXPORT_ENTRIES = new Set([
  EXPORT_MARKER,
  'model',
  'examples',
  'examples.json',
  'model.safetensors',
  'config.json',
  'tokenizer.json',
]);

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
 * directory an earlier `clapjs export` wrote (it holds {@link EXPORT_MARKER}, or only what an
 * export writes). Anything else is refused, so `--out .` or `--out ~/Music` can never delete
 * what is not ours.
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
  const foreign = entries.filter((name) => !EXPORT_ENTRIES.has(name));
  if (!entries.includes(EXPORT_MARKER) && foreign.length > 0) {
    throw new CliError(
      'EXPORT_TARGET',
      `Refusing to export to ${out}: it holds ${foreign.length} entr${foreign.length === 1 ? 'y' : 'ies'} that clapjs export does not write (e.g. "${foreign[0]}") and no ${EXPORT_MARKER} marker. Give --out a new or empty directory.`,
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
