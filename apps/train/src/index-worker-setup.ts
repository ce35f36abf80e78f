// Imported by each sandboxed processor of `clapjs worker` (a child process) before it loads the
// model: picks the tfjs backend the worker was started with and registers the built-in plugins.
import type { BackendName } from '@clapjs/core';
import { chooseBackend } from './backend.js';
import { registerBuiltins } from './plugins.js';

/** The environment variable `clapjs worker` passes its --backend in. */
export const WORKER_BACKEND_ENV = 'CLAPJS_INDEX_BACKEND';

export async function setup(): Promise<void> {
  await chooseBackend(
    (process.env[WORKER_BACKEND_ENV] ?? 'auto') as 'auto' | BackendName,
    () => {},
  );
  await registerBuiltins();
}
