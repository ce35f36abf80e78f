import { libraryPreset } from '@clapjs/config/tsup';

// tfjs-core's own gradient files are ESM inside a CommonJS package, so Node cannot import them
// directly; bundling them into core is the one place clapjs registers gradients
// (docs/engineering-notes.md, "Gradient registration").
export default libraryPreset({ noExternal: [/^@tensorflow\/tfjs-core\/dist\//] });
