import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { definePlugin, z } from '@clapjs/core';
import type { Split } from '@clapjs/core';
import { DatasetError } from '../errors.js';
import { ListDataset, resolveAudioPath } from '../list-dataset.js';
import type { FileItem } from '../list-dataset.js';
import { missingField, readTable, stringField } from '../table.js';
import { DATA_VERSION, ORIGIN } from '../version.js';
import { fileOptionsSchema } from './manifest.js';

const partSchema = z.strictObject({ captions: z.string(), audio: z.string() });

/** Config of the `clotho` dataset. */
export const clothoConfigSchema = z.strictObject({
  /** The dataset directory, relative to the context root. */
  path: z.string().default('.'),
  /** Per split: the captions CSV and the audio folder (relative to `path`). Missing files are skipped; at least one must exist. */
  splits: z
    .strictObject({
      train: partSchema.optional(),
      val: partSchema.optional(),
      test: partSchema.optional(),
    })
    .default({
      train: { captions: 'clotho_captions_development.csv', audio: 'development' },
      val: { captions: 'clotho_captions_validation.csv', audio: 'validation' },
      test: { captions: 'clotho_captions_evaluation.csv', audio: 'evaluation' },
    }),
  ...fileOptionsSchema,
});

/** The parsed `clotho` config. */
export type ClothoConfig = z.output<typeof clothoConfigSchema> & { readonly name: string };

/**
 * `clotho`: the Clotho layout — one captions CSV per split (`file_name, caption_1..caption_5`)
 * and an audio folder per split.
 */
export const clothoDataset = definePlugin({
  kind: 'dataset',
  name: 'clotho',
  version: DATA_VERSION,
  coreVersion: '^0.1.0',
  origin: ORIGIN,
  description: 'Clotho layout: a captions CSV (5 captions per file) and an audio folder per split.',
  configSchema: clothoConfigSchema,
  create(config, context) {
    const root = resolve(context.root, config.path);
    const items: FileItem[] = [];
    let missing = 0;
    const tried: string[] = [];
    for (const split of ['train', 'val', 'test'] as const satisfies Split[]) {
      const part = config.splits[split];
      if (part === undefined) continue;
      const file = resolve(root, part.captions);
      tried.push(file);
      if (!existsSync(file)) continue;
      for (const row of readTable(file, 'csv')) {
        const name = stringField(row, ['file_name', 'filename']);
        if (name === undefined)
          throw missingField(row, file, ['file_name'], 'file_name,caption_1,...,caption_5');
        const captions: string[] = [];
        for (let k = 1; row.values[`caption_${k}`] !== undefined; k++) {
          const c = String(row.values[`caption_${k}`]).trim();
          if (c !== '') captions.push(c);
        }
        if (captions.length === 0)
          throw missingField(row, file, ['caption_1'], 'file_name,caption_1,...,caption_5');
        const full = resolveAudioPath(root, join(part.audio, name), config, {
          file,
          line: row.line,
        });
        if (full === undefined) {
          missing++;
          continue;
        }
        items.push({ id: `${split}/${name}`, path: full, captions, split });
      }
    }
    if (items.length === 0 && missing === 0 && tried.every((f) => !existsSync(f))) {
      throw new DatasetError(
        'DATASET_FILE_MISSING',
        `No Clotho captions CSV found; looked for ${tried.join(', ')}. Point path at the Clotho directory or set splits.<split>.captions.`,
      );
    }
    return new ListDataset(config, items, missing, root);
  },
});
