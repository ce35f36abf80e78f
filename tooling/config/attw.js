#!/usr/bin/env node
// Part of every publishable package's `lint`: packs the package the way the release flow does
// (`pnpm pack`, which rewrites workspace ranges) into a temporary folder and runs
// arethetypeswrong on the tarball, so a types/exports mismatch (a `require` condition resolving
// to ESM types, a missing `.d.cts`, an unresolvable subpath) fails CI instead of a user's build.
// Profile `node16`: every resolution mode a supported Node (>= 20) or bundler uses. The legacy
// `node10` mode, which ignores `exports`, cannot see subpaths such as `@clapjs/similarity/register`
// (side-effect entries); users of that TypeScript setting import the root entries only.
// Usage (from the package directory): `node ../../tooling/config/attw.js`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'clapjs-attw-'));
try {
  execFileSync('pnpm', ['pack', '--pack-destination', dir], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'));
  if (tarball === undefined) throw new Error(`pnpm pack wrote no tarball into ${dir}`);
  const manifest = createRequire(import.meta.url).resolve('@arethetypeswrong/cli/package.json');
  const cli = join(dirname(manifest), 'dist', 'index.js');
  const result = spawnSync(
    process.execPath,
    [cli, join(dir, tarball), '--format', 'ascii', '--profile', 'node16'],
    {
      stdio: 'inherit',
    },
  );
  process.exitCode = result.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
