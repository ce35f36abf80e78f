// One build preset for every library package: ESM + CJS + .d.ts from src/index.ts.
import { defineConfig } from 'tsup';

/**
 * @param {import('tsup').Options} [overrides] extra entries or options for one package
 */
export function libraryPreset(overrides = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'neutral',
    // Shared chunks: a package's `register` entry and its index use one copy of each class.
    splitting: true,
    ...overrides,
  });
}
