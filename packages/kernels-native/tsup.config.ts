import { libraryPreset } from '@clapjs/config/tsup';
// shims: import.meta.url in the CJS build (the addon is found relative to the module).
export default libraryPreset({
  entry: ['src/index.ts', 'src/register.ts'],
  shims: true,
  platform: 'node',
});
