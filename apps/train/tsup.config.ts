import { defineConfig } from 'tsup';

// An executable, not a library: one ESM entry with a shebang, dependencies left external.
export default defineConfig({
  // index-worker-setup: imported by path in `clapjs worker`'s sandboxed processes.
  entry: ['src/cli.ts', 'src/index.ts', 'src/index-worker-setup.ts'],
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  dts: false,
  splitting: true,
});
