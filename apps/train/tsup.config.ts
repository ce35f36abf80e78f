import { defineConfig } from 'tsup';

// An executable, not a library: one ESM entry with a shebang, dependencies left external.
export default defineConfig({
  entry: ['src/cli.ts', 'src/index.ts'],
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  dts: false,
  splitting: true,
});
