import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveModule } from './worker-setup.js';

const root = mkdtempSync(join(tmpdir(), 'clapjs-resolve-module-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes node_modules/<name> under `root` with the given `exports` and its entry files. */
function installPackage(name: string, exports: unknown, files: string[]): string {
  const dir = join(root, 'node_modules', name);
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', exports }));
  for (const file of files) writeFileSync(join(dir, file), 'export {};\n');
  return dir;
}

const base = join(root, 'noop.js');
const url = (dir: string, file: string) => pathToFileURL(join(dir, file)).href;

describe('resolveModule', () => {
  it('finds a package that does not export ./package.json (exports as a string)', () => {
    const dir = installPackage('plain-exports', './index.js', ['index.js']);
    expect(resolveModule('plain-exports', base)).toBe(url(dir, 'index.js'));
  });

  it('picks the import condition of conditions-only exports, not the CJS build', () => {
    const dir = installPackage(
      'conditional-exports',
      { import: './dist/index.js', require: './dist/index.cjs' },
      ['dist/index.js', 'dist/index.cjs'],
    );
    expect(resolveModule('conditional-exports', base)).toBe(url(dir, 'dist/index.js'));
  });

  it('resolves a subpath of an exports map', () => {
    const dir = installPackage(
      '@acme/parts',
      {
        '.': { import: './dist/index.js', require: './dist/index.cjs' },
        './register': { import: './dist/register.js', require: './dist/register.cjs' },
      },
      ['dist/index.js', 'dist/index.cjs', 'dist/register.js', 'dist/register.cjs'],
    );
    expect(resolveModule('@acme/parts/register', base)).toBe(url(dir, 'dist/register.js'));
  });

  it('answers undefined for a package that is not installed', () => {
    expect(resolveModule('not-installed-anywhere', base)).toBeUndefined();
  });
});
