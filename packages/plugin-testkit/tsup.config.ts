import { libraryPreset } from '@clapjs/config/tsup';

export default libraryPreset({ entry: ['src/index.ts'] });
