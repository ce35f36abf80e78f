import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ImportError } from './errors.js';

/** The JSON files of a Hugging Face snapshot that import families read. */
const SNAPSHOT_JSON_FILES = ['config.json', 'preprocessor_config.json'] as const;

/**
 * Reads and parses the `SNAPSHOT_JSON_FILES` that exist in `folder` (none without one).
 * @throws ImportError `IMPORT_CONFIG_INVALID` when one is not valid JSON
 */
export async function readSnapshotFiles(
  folder: string | undefined,
): Promise<ReadonlyMap<string, unknown>> {
  const files = new Map<string, unknown>();
  if (folder === undefined) return files;
  for (const name of SNAPSHOT_JSON_FILES) {
    const path = join(folder, name);
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    try {
      files.set(name, JSON.parse(text));
    } catch (error) {
      throw new ImportError(
        'IMPORT_CONFIG_INVALID',
        `${path} is not valid JSON (${(error as Error).message}); restore it from the snapshot it came from.`,
        { cause: error },
      );
    }
  }
  return files;
}
