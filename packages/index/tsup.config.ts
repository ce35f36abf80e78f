import { libraryPreset } from '@clapjs/config/tsup';
// job-processor is the BullMQ sandboxed processor (a child process per worker slot, loaded by
// path): dist/job-processor.js beside the entry, found through import.meta.url (shims for CJS).
export default libraryPreset({
  entry: ['src/index.ts', 'src/job-processor.ts'],
  platform: 'node',
  shims: true,
});
