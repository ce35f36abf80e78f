#!/usr/bin/env node
// Builds the oneDNN addon with node-gyp and copies it to dist/<platform>-<arch>/kernels_native.node
// (turbo caches dist/ only). The pack is optional: when oneDNN's headers, a C++ compiler or Node's
// headers are missing, this prints why and how to fix it, and exits 0 — at run time the package
// then reports "not built" and registers the wasm kernels only. CLAPJS_NATIVE_STRICT=1 makes a
// failed build exit 1 (CI, where libdnnl-dev is installed).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'dist', `${process.platform}-${process.arch}`, 'kernels_native.node');
const strict = process.env.CLAPJS_NATIVE_STRICT === '1';

function skip(reason, fix) {
  console.warn(
    `@clapjs/kernels-native: native addon not built: ${reason}.\n  Fix: ${fix}\n  (the package still works: it registers @clapjs/kernels-wasm's kernels only)`,
  );
  process.exit(strict ? 1 : 0);
}

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

if (process.platform !== 'linux')
  skip(`platform ${process.platform} is not supported (Linux only)`, 'use @clapjs/kernels-wasm');
const includeDirs = [
  ...(process.env.CPATH ?? '').split(':').filter(Boolean),
  '/usr/include',
  '/usr/local/include',
];
if (!includeDirs.some((dir) => existsSync(join(dir, 'oneapi', 'dnnl', 'dnnl.hpp')))) {
  skip(
    'oneDNN headers (oneapi/dnnl/dnnl.hpp) not found',
    'apt-get install libdnnl-dev (Debian/Ubuntu), then pnpm --filter @clapjs/kernels-native build',
  );
}
if (!onPath(process.env.CXX ?? 'c++') || !onPath('make')) {
  skip('no C++ compiler or make on PATH', 'apt-get install g++ make, then rebuild');
}

// Up to date (sources older than the last build): copy only (tsup's clean emptied dist/).
const built = join(root, 'build', 'Release', 'kernels_native.node');
const sources = ['binding.gyp', ...readdirSync(join(root, 'native')).map((f) => join('native', f))];
if (
  existsSync(built) &&
  sources.every((f) => statSync(join(root, f)).mtimeMs < statSync(built).mtimeMs)
) {
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(built, target);
  console.log(`@clapjs/kernels-native: ${target} (up to date)`);
  process.exit(0);
}

// node-gyp: our pinned dependency, else the one npm ships (npm sets npm_config_node_gyp).
let gyp = process.env.npm_config_node_gyp;
try {
  gyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
} catch {
  // not installed (e.g. dependencies not linked yet): fall back to npm's
}
if (gyp === undefined || !existsSync(gyp))
  skip('node-gyp is not installed', 'pnpm install (it is a dependency), then rebuild');

// Node's headers: node-gyp downloads them unless --nodedir names a local copy (Debian's nodejs
// installs them under /usr/include/node; official tarballs under <prefix>/include/node).
const args = [gyp, 'rebuild', '--jobs', '1'];
const prefix = dirname(dirname(process.execPath));
for (const dir of [process.env.npm_config_nodedir, prefix, '/usr'].filter(Boolean)) {
  if (existsSync(join(dir, 'include', 'node', 'node_api.h'))) {
    args.push(`--nodedir=${dir}`);
    break;
  }
}
const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  skip(
    `node-gyp exited with ${result.status ?? result.signal}`,
    'read the compiler output above (a libdnnl-dev older than 2.x?)',
  );
}
mkdirSync(dirname(target), { recursive: true });
copyFileSync(built, target);
console.log(`@clapjs/kernels-native: built ${target}`);
