// Bundles the sandboxed processor and the test worker from source (dependencies external), so
// the queue tests run today's code, not a possibly stale dist/. Output under node_modules/.cache,
// where the package's dependencies resolve.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const OUT = new URL('../../node_modules/.cache/clapjs-index-test/', import.meta.url);

async function bundle(entry: string, name: string): Promise<string> {
  const outfile = fileURLToPath(new URL(name, OUT));
  await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

/** The bundled processor and worker script. */
export async function bundleWorker(): Promise<{ processor: string; worker: string }> {
  return {
    processor: await bundle('../job-processor.ts', 'job-processor.mjs'),
    worker: await bundle('./run-worker.ts', 'run-worker.mjs'),
  };
}

/** The URL of the cpu-backend setup module for processors. */
export const CPU_SETUP = new URL('./cpu-setup.mjs', import.meta.url).href;
