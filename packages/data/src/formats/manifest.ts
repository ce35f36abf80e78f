import { dirname, resolve } from 'node:path';
import { definePlugin, z } from '@clapjs/core';
import type { Split } from '@clapjs/core';
import { unitHash } from '../hash.js';
import { ListDataset, parseSplit, resolveAudioPath } from '../list-dataset.js';
import type { FileItem } from '../list-dataset.js';
import { requireFile } from '../paths.js';
import { missingField, readTable, stringField } from '../table.js';
import type { Row } from '../table.js';
import { DATA_VERSION, ORIGIN } from '../version.js';

const PATH_KEYS = ['path', 'audio', 'file', 'file_name', 'filename'] as const;

/** Options shared by every file-based dataset config. */
export const fileOptionsSchema = {
  /** Allow audio paths outside the dataset root (`..`, absolute). Off: such rows are refused. */
  allowOutsideRoot: z.boolean().default(false),
  /** What to do with a row whose audio file is missing: fail (default) or leave it out (counted). */
  onMissing: z.enum(['fail', 'skip']).default('fail'),
};

/** Config of the `manifest` dataset. */
export const manifestConfigSchema = z.strictObject({
  /** The manifest file (JSONL or CSV), relative to the context root. */
  path: z.string().min(1).default('manifest.jsonl'),
  format: z.enum(['auto', 'csv', 'jsonl']).default('auto'),
  /** The dataset root audio paths resolve in; default: the manifest's directory. */
  root: z.string().optional(),
  /** In CSV, separates several captions inside one `captions` cell. */
  captionSeparator: z.string().min(1).default('|'),
  /** Rows with no split go to val / test with these probabilities (stable per id), else train. */
  valFraction: z.number().min(0).max(1).default(0),
  testFraction: z.number().min(0).max(1).default(0),
  ...fileOptionsSchema,
});

/** The parsed `manifest` config. */
export type ManifestConfig = z.output<typeof manifestConfigSchema> & { readonly name: string };

function captionsOf(row: Row, file: string, separator: string): string[] {
  const list = row.values['captions'];
  if (Array.isArray(list)) {
    const bad = list.find((c) => typeof c !== 'string');
    if (bad !== undefined || list.length === 0) {
      throw missingField(
        row,
        file,
        ['captions'],
        '"captions": ["a dog barks", "barking"] (non-empty strings)',
      );
    }
    return (list as string[]).map((c) => c.trim()).filter((c) => c !== '');
  }
  const out: string[] = [];
  if (typeof list === 'string') out.push(...list.split(separator));
  const single = stringField(row, ['caption', 'text']);
  if (single !== undefined) out.push(single);
  for (let k = 1; row.values[`caption_${k}`] !== undefined; k++)
    out.push(String(row.values[`caption_${k}`]));
  return out.map((c) => c.trim()).filter((c) => c !== '');
}

/** Reads a manifest's rows into file items (shared by `manifest` and the CLI's data commands). */
export function readManifest(
  config: ManifestConfig,
  contextRoot: string,
): { items: FileItem[]; missing: number; file: string } {
  const file = resolve(contextRoot, config.path);
  requireFile(file, 'The manifest file');
  const root = config.root === undefined ? dirname(file) : resolve(contextRoot, config.root);
  const items: FileItem[] = [];
  let missing = 0;
  for (const row of readTable(file, config.format)) {
    const origin = { file, line: row.line };
    const path = stringField(row, PATH_KEYS);
    if (path === undefined)
      throw missingField(
        row,
        file,
        PATH_KEYS,
        '{"path": "clips/dog.wav", "caption": "a dog barks"}',
      );
    const captions = captionsOf(row, file, config.captionSeparator);
    if (captions.length === 0) {
      throw missingField(
        row,
        file,
        ['caption', 'captions', 'caption_1'],
        '{"path": "clips/dog.wav", "caption": "a dog barks"}',
      );
    }
    const full = resolveAudioPath(root, path, config, origin);
    if (full === undefined) {
      missing++;
      continue;
    }
    const id = stringField(row, ['id']) ?? path;
    let split: Split | undefined = parseSplit(stringField(row, ['split']), origin);
    if (split === undefined && config.valFraction + config.testFraction > 0) {
      const u = unitHash(id);
      split =
        u < config.testFraction
          ? 'test'
          : u < config.testFraction + config.valFraction
            ? 'val'
            : 'train';
    }
    const label = stringField(row, ['label', 'category']);
    items.push({
      id,
      path: full,
      captions,
      ...(label === undefined ? {} : { label }),
      ...(split === undefined ? {} : { split }),
    });
  }
  return { items, missing, file };
}

/**
 * `manifest`: clips listed in a JSONL or CSV file. Columns: `path` (relative to the root), one
 * or more captions (`caption`, `captions` — an array in JSONL, `|`-separated in CSV — or
 * `caption_1..caption_N`), optional `label`, `split` (train / val / test) and `id`.
 */
export const manifestDataset = definePlugin({
  kind: 'dataset',
  name: 'manifest',
  version: DATA_VERSION,
  coreVersion: '^0.1.0',
  origin: ORIGIN,
  description: 'Clips listed in a JSONL or CSV manifest (path, captions, label, split).',
  configSchema: manifestConfigSchema,
  create(config, context) {
    const { items, missing, file } = readManifest(config, context.root);
    return new ListDataset(config, items, missing, file);
  },
});
