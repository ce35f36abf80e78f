import { libraryPreset } from '@clapjs/config/tsup';
// `load` is the module gradient workers import by URL to load their copy of a model.
export default libraryPreset({ entry: ['src/index.ts', 'src/load.ts'] });
