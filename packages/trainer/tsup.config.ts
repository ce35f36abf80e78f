import { libraryPreset } from '@clapjs/config/tsup';
// gradient-worker is a worker_threads entry (dist/gradient-worker.js, ESM for both builds);
// shims give the CJS build an import.meta.url, so both find it beside themselves.
export default libraryPreset({
  entry: ['src/index.ts', 'src/register.ts', 'src/gradient-worker.ts'],
  platform: 'node',
  shims: true,
});
