import { libraryPreset } from '@clapjs/config/tsup';
// Keep `node:` in the dynamic import of node:fs/promises (external), so browser bundlers see a
// Node builtin they can ignore rather than a bare "fs/promises" they try to resolve.
export default libraryPreset({ removeNodeProtocol: false, external: [/^node:/] });
