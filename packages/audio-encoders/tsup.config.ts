import { libraryPreset } from '@clapjs/config/tsup';

// `register` is a second entry: importing it registers the built-ins (a listed side effect).
export default libraryPreset({ entry: ['src/index.ts', 'src/register.ts'] });
