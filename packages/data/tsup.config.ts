import { libraryPreset } from '@clapjs/config/tsup';

// `register` and the loader's worker import the package by its own name, kept external, so that
// at run time they use the same module as `@clapjs/data` (one copy of each class: `instanceof
// DatasetError` holds for errors thrown by registry-built datasets, and `SynthDataset` is the
// class users import). `shims` gives the CJS build an `import.meta.url` to find the worker.
export default libraryPreset({
  entry: ['src/index.ts', 'src/register.ts', 'src/loader-worker.ts'],
  external: ['@clapjs/data'],
  shims: true,
});
