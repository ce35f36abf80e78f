import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { kernelPackStatuses } from '@clapjs/core';

/** The kernel packs tried for the wasm backend when the main thread reported none, best first. */
const WASM_PACKS = ['@clapjs/kernels-native', '@clapjs/kernels-wasm'];

type ExportTarget =
  string | { readonly import?: ExportTarget; readonly default?: ExportTarget } | undefined;

function pickImport(target: ExportTarget): string | undefined {
  if (target === undefined || typeof target === 'string') return target;
  return pickImport(target.import) ?? pickImport(target.default);
}

/** A package's package.json as seen from `require`: exported, or found in a node_modules folder
 * on the way up (most packages do not export `./package.json`). */
function manifestOf(require: NodeJS.Require, name: string): string | undefined {
  try {
    return require.resolve(`${name}/package.json`);
  } catch {
    return (require.resolve.paths(name) ?? [])
      .map((dir) => join(dir, name, 'package.json'))
      .find((file) => existsSync(file));
  }
}

/** The `exports` entry for `subpath`; the sugar forms (a string, or conditions only) mean `.`. */
function exportFor(exports: unknown, subpath: string): ExportTarget {
  if (exports === undefined || exports === null) return undefined;
  const map = exports as Record<string, ExportTarget>;
  const sugar = typeof exports === 'string' || !Object.keys(map).some((k) => k.startsWith('.'));
  if (sugar) return subpath === '.' ? (exports as ExportTarget) : undefined;
  return map[subpath];
}

/**
 * Resolves `<package>/<subpath>` from `base` to the file URL of its ESM entry (the `import`
 * condition of the package's exports), so that the worker loads the same copy of the package the
 * main thread imported. createRequire alone would pick the CJS build.
 */
export function resolveModule(specifier: string, base: string): string | undefined {
  const parts = specifier.split('/');
  const nameLength = specifier.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, nameLength).join('/');
  const subpath = ['.', ...parts.slice(nameLength)].join('/');
  try {
    const require = createRequire(base);
    const manifestPath = manifestOf(require, name);
    if (manifestPath === undefined) return undefined;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: unknown };
    const target = pickImport(exportFor(manifest.exports, subpath));
    if (target !== undefined) return pathToFileURL(join(dirname(manifestPath), target)).href;
    return pathToFileURL(require.resolve(specifier)).href;
  } catch {
    return undefined;
  }
}

/**
 * The modules a gradient worker imports by default before selecting `backend`: for wasm, the
 * `register` entry of each kernel pack the main thread reported as loaded (else of
 * @clapjs/kernels-native and @clapjs/kernels-wasm), resolved from the main module's and the
 * working directory's node_modules; none for other backends.
 */
export function defaultWorkerSetup(backend: string): string[] {
  if (backend !== 'wasm') return [];
  const reported = kernelPackStatuses('wasm')
    .filter((s) => s.loaded)
    .map((s) => s.name);
  const bases = [process.argv[1], join(process.cwd(), 'package.json')].filter(
    (b): b is string => b !== undefined && existsSync(dirname(b)),
  );
  const found: string[] = [];
  for (const name of reported.length > 0 ? reported : WASM_PACKS) {
    for (const base of bases) {
      const url = resolveModule(`${name}/register`, base);
      if (url !== undefined) {
        found.push(url);
        break;
      }
    }
  }
  return found;
}
