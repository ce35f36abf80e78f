import { join, resolve } from 'node:path';
import { definePlugin, z } from '@clapjs/core';
import type { Split } from '@clapjs/core';
import { DatasetError } from '../errors.js';
import { ListDataset, resolveAudioPath } from '../list-dataset.js';
import type { FileItem } from '../list-dataset.js';
import { requireFile } from '../paths.js';
import { missingField, readTable, stringField } from '../table.js';
import { DATA_VERSION, ORIGIN } from '../version.js';
import { fileOptionsSchema } from './manifest.js';

/** Config of the `esc50` dataset (the ESC-50 layout: meta/esc50.csv + audio/). */
export const esc50ConfigSchema = z.strictObject({
  /** The dataset directory (holding meta/ and audio/), relative to the context root. */
  path: z.string().default('.'),
  /** Folds (1–5) that form the val split. */
  valFolds: z.array(z.number().int().min(1).max(5)).default([4]),
  /** Folds that form the test split; the remaining folds are train. */
  testFolds: z.array(z.number().int().min(1).max(5)).default([5]),
  /** Caption templates; `{label}` becomes the category with underscores as spaces. */
  templates: z
    .array(z.string().includes('{label}'))
    .min(1)
    .default(['this is a sound of {label}.', 'the sound of {label}', 'a recording of {label}']),
  ...fileOptionsSchema,
});

/** The parsed `esc50` config. */
export type Esc50Config = z.output<typeof esc50ConfigSchema> & { readonly name: string };

/**
 * `esc50`: the ESC-50 layout (`meta/esc50.csv` with filename, fold, target, category; clips in
 * `audio/`). Folds pick the split; captions come from the category through templates; the label
 * is the category in words ("chirping birds").
 */
export const esc50Dataset = definePlugin({
  kind: 'dataset',
  name: 'esc50',
  version: DATA_VERSION,
  coreVersion: '^0.1.0',
  origin: ORIGIN,
  description: 'ESC-50 layout: meta/esc50.csv folds, captions from the category.',
  configSchema: esc50ConfigSchema,
  create(config, context) {
    const root = resolve(context.root, config.path);
    const file = join(root, 'meta', 'esc50.csv');
    requireFile(file, 'The ESC-50 metadata file');
    const overlap = config.valFolds.find((f) => config.testFolds.includes(f));
    if (overlap !== undefined) {
      throw new DatasetError(
        'DATASET_CONFIG_INVALID',
        `ESC-50 fold ${overlap} is in both valFolds and testFolds; give each fold one split.`,
      );
    }
    const items: FileItem[] = [];
    let missing = 0;
    for (const row of readTable(file, 'csv')) {
      const origin = { file, line: row.line };
      const name = stringField(row, ['filename']);
      const category = stringField(row, ['category']);
      const fold = Number(stringField(row, ['fold']));
      if (name === undefined)
        throw missingField(row, file, ['filename'], 'filename,fold,target,category');
      if (category === undefined)
        throw missingField(row, file, ['category'], 'filename,fold,target,category');
      if (!Number.isInteger(fold) || fold < 1 || fold > 5) {
        throw new DatasetError(
          'DATASET_ROW_INVALID',
          `${file}:${row.line}: fold must be 1–5, found "${String(row.values['fold'])}". Fix the fold column.`,
          origin,
        );
      }
      const full = resolveAudioPath(root, join('audio', name), config, origin);
      if (full === undefined) {
        missing++;
        continue;
      }
      const label = category.replaceAll('_', ' ');
      const split: Split = config.testFolds.includes(fold)
        ? 'test'
        : config.valFolds.includes(fold)
          ? 'val'
          : 'train';
      const captions = config.templates.map((t) => t.replaceAll('{label}', label));
      items.push({ id: name, path: full, captions, label, split, meta: { fold } });
    }
    return new ListDataset(config, items, missing, file);
  },
});
