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

/** Config of the `audiocaps` dataset. */
export const audiocapsConfigSchema = z.strictObject({
  /** The dataset directory, relative to the context root. */
  path: z.string().default('.'),
  /** The CSV of each split (audiocap_id, youtube_id, start_time, caption); missing ones are skipped. */
  csv: z
    .strictObject({
      train: z.string().optional(),
      val: z.string().optional(),
      test: z.string().optional(),
    })
    .default({ train: 'train.csv', val: 'val.csv', test: 'test.csv' }),
  /** Where a clip's audio is, relative to `path`; `{youtube_id}`, `{audiocap_id}`, `{start_time}` and `{split}` are filled in. */
  audioPath: z.string().default('audio/{split}/{youtube_id}.wav'),
  ...fileOptionsSchema,
});

/** The parsed `audiocaps` config. */
export type AudioCapsConfig = z.output<typeof audiocapsConfigSchema> & { readonly name: string };

/**
 * `audiocaps`: the AudioCaps CSVs (one caption per row; rows of the same YouTube clip are
 * grouped into one item with all its captions) and audio files named by `audioPath`.
 */
export const audiocapsDataset = definePlugin({
  kind: 'dataset',
  name: 'audiocaps',
  version: DATA_VERSION,
  coreVersion: '^0.1.0',
  origin: ORIGIN,
  description:
    'AudioCaps CSVs (audiocap_id, youtube_id, start_time, caption), captions grouped per clip.',
  configSchema: audiocapsConfigSchema,
  create(config, context) {
    const root = resolve(context.root, config.path);
    const items: FileItem[] = [];
    let missing = 0;
    const tried: string[] = [];
    for (const split of ['train', 'val', 'test'] as const satisfies Split[]) {
      const name = config.csv[split];
      if (name === undefined) continue;
      const file = resolve(root, name);
      tried.push(file);
      if (!existsSync(file)) continue;
      const byClip = new Map<
        string,
        { path: string | undefined; captions: string[]; line: number }
      >();
      for (const row of readTable(file, 'csv')) {
        const youtubeId = stringField(row, ['youtube_id']);
        const caption = stringField(row, ['caption']);
        const example = 'audiocap_id,youtube_id,start_time,caption';
        if (youtubeId === undefined) throw missingField(row, file, ['youtube_id'], example);
        if (caption === undefined) throw missingField(row, file, ['caption'], example);
        const start = stringField(row, ['start_time']) ?? '0';
        const key = `${youtubeId}@${start}`;
        let clip = byClip.get(key);
        if (clip === undefined) {
          const audio = config.audioPath
            .replaceAll('{youtube_id}', youtubeId)
            .replaceAll('{audiocap_id}', stringField(row, ['audiocap_id']) ?? '')
            .replaceAll('{start_time}', start)
            .replaceAll('{split}', split);
          clip = {
            path: resolveAudioPath(root, audio, config, { file, line: row.line }),
            captions: [],
            line: row.line,
          };
          byClip.set(key, clip);
          if (clip.path === undefined) missing++;
        }
        clip.captions.push(caption);
      }
      for (const [key, clip] of byClip) {
        if (clip.path !== undefined)
          items.push({ id: `${split}/${key}`, path: clip.path, captions: clip.captions, split });
      }
    }
    if (tried.every((f) => !existsSync(f))) {
      throw new DatasetError(
        'DATASET_FILE_MISSING',
        `No AudioCaps CSV found; looked for ${tried.join(', ')}. Point path at the AudioCaps directory or set csv.<split>.`,
      );
    }
    return new ListDataset(config, items, missing, join(root, '*.csv'));
  },
});
