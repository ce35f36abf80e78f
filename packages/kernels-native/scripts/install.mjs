#!/usr/bin/env node
// npm/pnpm `install` hook. In a published package: builds the addon from source only when dist/
// holds no binary for this platform (never fails the install: the pack is optional). In the
// monorepo (src/ present) it does nothing: the package's `build` script builds the addon, after
// tsup, once dependencies are linked.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binary = join(root, 'dist', `${process.platform}-${process.arch}`, 'kernels_native.node');
if (
  existsSync(join(root, 'src')) ||
  existsSync(binary) ||
  process.env.CLAPJS_NATIVE_SKIP_BUILD === '1'
)
  process.exit(0);
spawnSync(process.execPath, [join(root, 'scripts', 'build-addon.mjs')], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, CLAPJS_NATIVE_STRICT: '0' },
});
process.exit(0);
