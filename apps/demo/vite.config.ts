import { defineConfig } from 'vite';

// A static build with relative URLs, so dist/ can be served from any path (or opened by the
// serve script); the model export is fetched at run time from ./clap/ (see scripts/serve.mjs).
export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    target: 'es2022',
    emptyOutDir: true,
    // tfjs's wasm binaries come in through `?url` imports; keep them as files, never inlined.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2048,
  },
});
