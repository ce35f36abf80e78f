import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** apps/demo */
export const DEMO_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
/** Where screenshots and measurements go (git-ignored). */
export const ARTIFACTS = resolve(DEMO_DIR, '..', '..', 'test-artifacts', 'demo');
/** The Vite build output. */
export const DIST = join(DEMO_DIR, 'dist');

/** The model of the README's main job (apps/train/configs/default.yaml), untrained. */
export const TEST_MODEL_CONFIG = {
  audio: { preset: 'fast' },
  audioEncoder: { name: 'cnn-small' },
  textEncoder: { name: 'transformer', layers: 2, width: 128, heads: 4 },
  tokenizer: { name: 'word', maxLength: 24 },
  audioProjection: { name: 'mlp', dim: 128 },
  textProjection: { name: 'mlp', dim: 128 },
  similarity: { name: 'cosine' },
  loss: { name: 'symmetric-clap' },
};
export const TEST_SEED = 3;

/** Chromium flags for these machines (FACTS.md). */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const CHROMIUM = '/usr/bin/chromium';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    exportDir: string;
    exportedBy: string;
  }
}
