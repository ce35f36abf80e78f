import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** The built CLI (CI builds before testing). */
export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Runs `clapjs ...args` and returns its exit status and output. */
export function clapjs(
  args: string[],
  cwd?: string,
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    cwd,
    timeout: 170_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh temporary directory. */
export function tempDir(prefix = 'clapjs-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** max|ours − reference| / max|reference| over all entries (rows flattened; lengths must match). */
export function relativeError(ours: number[] | number[][], want: number[] | number[][]): number {
  const a = ours.flat();
  const b = want.flat();
  expect(a).toHaveLength(b.length);
  let diff = 0;
  let peak = 0;
  b.forEach((v, i) => {
    diff = Math.max(diff, Math.abs(a[i]! - v));
    peak = Math.max(peak, Math.abs(v));
  });
  return diff / peak;
}
