import { libraryPreset } from '@clapjs/config/tsup';

// Node only: the readers open files with node:fs.
export default libraryPreset({ platform: 'node' });
