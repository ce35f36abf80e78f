import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultModelConfig } from '@clapjs/model';

/** apps/demo */
export const DEMO_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
/** Where screenshots and measurements go (git-ignored). */
export const ARTIFACTS = resolve(DEMO_DIR, '..', '..', 'test-artifacts', 'demo');
/** The Vite build output. */
export const DIST = join(DEMO_DIR, 'dist');

/** The model of the README's main job (the default config), untrained. */
export const TEST_MODEL_CONFIG = defaultModelConfig();
export const TEST_SEED = 3;

/** Chromium flags for these machines (docs/engineering-notes.md, "Chromium for browser tests"). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // A fake microphone (a beep) that needs no permission prompt, for the recording test.
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];
export const CHROMIUM = '/usr/bin/chromium';

/** The real CLI's path (apps/train, a devDependency), when it is built. */
export function cliPath(): string | undefined {
  try {
    const cli = join(
      dirname(createRequire(import.meta.url).resolve('clapjs/package.json')),
      'dist',
      'cli.js',
    );
    return existsSync(cli) ? cli : undefined;
  } catch {
    return undefined;
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    exportDir: string;
    /** The CLI that wrote the export (its path), or '' for the test's stand-in. */
    exportedBy: string;
  }
}
