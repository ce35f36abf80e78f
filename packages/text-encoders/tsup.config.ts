import { libraryPreset } from '@clapjs/config/tsup';

// node20.10 is the first Node 20 with `import … with { type: 'json' }`; a lower target makes
// esbuild drop the attribute, and Node then refuses the BERT vocabulary import.
export default libraryPreset({ entry: ['src/index.ts', 'src/register.ts'], target: 'node20.10' });
