import { libraryPreset } from '@clapjs/config/tsup';

// `register` imports the package by its own name, kept external, so that at run time it uses the
// same module as `@clapjs/data` (one copy of each class: `instanceof DatasetError` holds for errors
// thrown by registry-built datasets, and `SynthDataset` is the class users import).
export default libraryPreset({ entry: ['src/index.ts', 'src/register.ts'], external: ['@clapjs/data'] });
