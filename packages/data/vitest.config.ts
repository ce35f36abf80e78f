import { fileURLToPath } from 'node:url';
import { testPreset } from '@clapjs/config/vitest';

// src/register.ts imports the package by name (see tsup.config.ts); tests resolve it to the source.
export default testPreset({
  alias: { '@clapjs/data': fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
});
