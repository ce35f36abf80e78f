import { ImportError } from '../import/errors.js';
import type { CheckpointFamily } from './family.js';
import { hfClap } from './hf-clap.js';
import { laionClap } from './laion-clap.js';
import { msclap2022 } from './msclap-2022.js';
import { msclap2023 } from './msclap-2023.js';

/** Every checkpoint family `importCheckpoint` knows, by name (the list `--from` accepts). */
export const CHECKPOINT_FAMILIES: readonly CheckpointFamily[] = [
  msclap2022,
  hfClap,
  laionClap,
  msclap2023,
];

/**
 * The family called `name`, or with `auto` the one whose names the state dict has.
 * @throws ImportError `IMPORT_FAMILY_UNKNOWN` naming the known families
 */
export function findFamily(name: string, names: readonly string[]): CheckpointFamily {
  const known = CHECKPOINT_FAMILIES.map((f) => f.name).join(', ');
  if (name === 'auto') {
    const found = CHECKPOINT_FAMILIES.find((f) => f.detect(names));
    if (found !== undefined) return found;
    throw new ImportError(
      'IMPORT_FAMILY_UNKNOWN',
      `--from auto recognises none of ${known} in this checkpoint (first tensors: ${names.slice(0, 3).join(', ') || 'none'}). ` +
        'Name the family with --from, or check that the file is a published CLAP checkpoint.',
    );
  }
  const family = CHECKPOINT_FAMILIES.find((f) => f.name === name);
  if (family === undefined) {
    throw new ImportError(
      'IMPORT_FAMILY_UNKNOWN',
      `Unknown checkpoint family "${name}"; expected one of ${known} or auto.`,
    );
  }
  return family;
}
