import { defineConfig } from 'vite';
import { demoViteConfig } from './scripts/site-config.mjs';

// The default site: the built-in parts only (`pnpm demo` bundles a model's plugins separately).
export default defineConfig(demoViteConfig());
