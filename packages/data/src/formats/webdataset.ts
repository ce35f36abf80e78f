import { readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { decodeAudio } from '@clapjs/audio';
import { definePlugin, z } from '@clapjs/core';
import type { Dataset, DatasetItem, Split } from '@clapjs/core';
import { CorruptAudioError, DatasetError, emptyDatasetError } from '../errors.js';
import { checkIndex, parseSplit } from '../list-dataset.js';
import type { SplitIndexed } from '../list-dataset.js';
import { requireFile } from '../paths.js';
import { DATA_VERSION, ORIGIN } from '../version.js';
import { indexTar, readMember } from './tar-index.js';
import type { TarMember } from './tar-index.js';

/** Audio extensions a WebDataset sample may carry, in order of preference. */
export const WEBDATASET_AUDIO_EXTENSIONS = ['flac', 'wav', 'mp3', 'ogg'] as const;

/** Config of the `webdataset` dataset. */
export const webdatasetConfigSchema = z.strictObject({
  /** A directory of `.tar` shards, or one shard, relative to the context root. */
  path: z.string().default('.'),
  /** Explicit shard files (relative to `path`); default: every `*.tar` in `path`, sorted. */
  shards: z.array(z.string()).optional(),
  /** The split of samples whose JSON has none (e.g. a directory of training shards). */
  split: z.enum(['train', 'val', 'test']).optional(),
});

/** The parsed `webdataset` config. */
export type WebDatasetConfig = z.output<typeof webdatasetConfigSchema> & { readonly name: string };

/** One sample of a WebDataset shard: its key, its audio member and its JSON/TXT metadata. */
export interface ShardSample {
  /** The WebDataset key: the member's path up to the first dot of its file name. */
  readonly key: string;
  /** Where the audio's bytes are in the shard (read them with {@link readShardAudio}). */
  readonly audio: TarMember;
  /** The audio member's name, `<key>.<ext>`. */
  readonly audioName: string;
  /** The sample's `<key>.json` object, or `{ caption }` from `<key>.txt`. */
  readonly info: Record<string, unknown>;
  /** Its captions (`captions`, `caption`, `text` or `texts` of the JSON; never empty). */
  readonly captions: readonly string[];
}

interface Sample extends ShardSample {
  readonly shard: string;
}

function splitKey(name: string): { key: string; ext: string } {
  // WebDataset convention: the key is the path up to the first dot of the file name.
  const slash = name.lastIndexOf('/');
  const dot = name.indexOf('.', slash + 1);
  return dot === -1
    ? { key: name, ext: '' }
    : { key: name.slice(0, dot), ext: name.slice(dot + 1).toLowerCase() };
}

function captionsOf(info: Record<string, unknown>): string[] {
  for (const key of ['captions', 'caption', 'text', 'texts']) {
    const value = info[key];
    if (typeof value === 'string' && value.trim() !== '') return [value.trim()];
    if (Array.isArray(value))
      return value
        .filter((c): c is string => typeof c === 'string' && c.trim() !== '')
        .map((c) => c.trim());
  }
  return [];
}

/** Lists the shard files a config names. */
export function listShards(config: WebDatasetConfig, contextRoot: string): string[] {
  const base = resolve(contextRoot, config.path);
  requireFile(base, 'The WebDataset path', {}, true);
  if (config.shards !== undefined) return config.shards.map((s) => resolve(base, s));
  if (!statSync(base).isDirectory()) return [base];
  return readdirSync(base)
    .filter((f) => f.endsWith('.tar'))
    .sort()
    .map((f) => join(base, f));
}

/**
 * The samples of one WebDataset shard, in the order their keys first appear: `<key>.flac|wav|mp3|ogg`
 * plus `<key>.json` (`captions`, `caption` or `text`) or `<key>.txt`. Reads only the tar headers
 * and the small JSON/TXT members; audio stays in the shard until {@link readShardAudio} reads it.
 * @throws DatasetError `DATASET_TAR_INVALID` for a damaged or compressed shard,
 *   `DATASET_ROW_INVALID` for a sample without audio or captions
 */
export function readShardSamples(shard: string): ShardSample[] {
  requireFile(shard, 'The WebDataset shard');
  if (shard.endsWith('.gz')) {
    throw new DatasetError(
      'DATASET_TAR_INVALID',
      `${shard}: compressed shards are not supported; decompress it (gunzip) to a plain .tar.`,
      { file: shard },
    );
  }
  const decoder = new TextDecoder();
  const groups = new Map<string, Map<string, TarMember>>();
  for (const member of indexTar(shard, (name) => /\.(json|txt)$/i.test(name))) {
    const { key, ext } = splitKey(member.name);
    if (!groups.has(key)) groups.set(key, new Map());
    groups.get(key)?.set(ext, member);
  }
  const samples: ShardSample[] = [];
  for (const [key, parts] of groups) {
    const audioExt = WEBDATASET_AUDIO_EXTENSIONS.find((e) => parts.has(e));
    if (audioExt === undefined) {
      throw new DatasetError(
        'DATASET_ROW_INVALID',
        `${shard}, sample "${key}" has no audio member (${WEBDATASET_AUDIO_EXTENSIONS.map((e) => `.${e}`).join(', ')}); found ${[...parts.keys()].join(', ')}. Add the audio or remove the sample.`,
        { file: shard },
      );
    }
    const info = readInfo(shard, key, parts, decoder);
    samples.push({
      key,
      audio: parts.get(audioExt) as TarMember,
      audioName: `${key}.${audioExt}`,
      info,
      captions: captionsOf(info),
    });
  }
  return samples;
}

/** The bytes of a sample's audio member (read by offset from the shard). */
export function readShardAudio(
  shard: string,
  sample: Pick<ShardSample, 'audio'>,
): Promise<Uint8Array> {
  return readMember(shard, sample.audio);
}

/**
 * A WebDataset: tar shards in which each sample is `<key>.flac|wav` (audio) plus `<key>.json`
 * (`captions` or `caption` or `text`, optional `label`, `split`, `id`) or `<key>.txt`. Shards
 * are indexed from their headers when the dataset is built; audio is read by offset and decoded
 * in `get`, so items carry decoded samples.
 */
export class WebDataset implements Dataset<WebDatasetConfig>, SplitIndexed {
  readonly name = 'webdataset';
  readonly size: number;
  private readonly samples: Sample[];

  constructor(
    private readonly config: WebDatasetConfig,
    contextRoot: string,
  ) {
    const shards = listShards(config, contextRoot);
    this.samples = [];
    for (const shard of shards)
      for (const sample of readShardSamples(shard)) this.samples.push({ ...sample, shard });
    if (this.samples.length === 0) {
      throw emptyDatasetError(
        `The WebDataset at ${resolve(contextRoot, config.path)}`,
        'Point path at a directory of .tar shards (writeWebDataset makes them).',
      );
    }
    this.size = this.samples.length;
  }

  getConfig(): WebDatasetConfig {
    return this.config;
  }

  async get(index: number): Promise<DatasetItem> {
    const sample = this.samples[checkIndex(index, this.size, this.name)] as Sample;
    const id =
      typeof sample.info['id'] === 'string'
        ? sample.info['id']
        : `${basename(sample.shard)}/${sample.key}`;
    const bytes = await readMember(sample.shard, sample.audio);
    let decoded;
    try {
      decoded = await decodeAudio(bytes, { name: sample.audioName });
    } catch (error) {
      throw new CorruptAudioError(id, `${sample.shard}:${sample.audioName}`, error);
    }
    const label = sample.info['label'];
    const split = this.splitOf(sample);
    return {
      id,
      audio: { kind: 'samples', samples: decoded.samples, sampleRate: decoded.sampleRate },
      captions: [...sample.captions],
      ...(typeof label === 'string' ? { label } : {}),
      ...(split === undefined ? {} : { split }),
      meta: { shard: sample.shard, key: sample.key },
    };
  }

  indicesFor(split: Split): number[] {
    const out: number[] = [];
    this.samples.forEach((s, k) => {
      if ((this.splitOf(s) ?? 'train') === split) out.push(k);
    });
    return out;
  }

  private splitOf(sample: Sample): Split | undefined {
    const value = sample.info['split'];
    return (
      (typeof value === 'string' ? parseSplit(value, { file: sample.shard }) : undefined) ??
      this.config.split
    );
  }
}

function readInfo(
  shard: string,
  key: string,
  parts: Map<string, TarMember>,
  decoder: TextDecoder,
): Record<string, unknown> {
  const json = parts.get('json');
  const txt = parts.get('txt');
  const where = `${shard}, sample "${key}"`;
  let info: Record<string, unknown> = {};
  if (json !== undefined) {
    try {
      const value: unknown = JSON.parse(decoder.decode(json.body ?? new Uint8Array()));
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new Error('not a JSON object');
      info = value as Record<string, unknown>;
    } catch (error) {
      throw new DatasetError(
        'DATASET_ROW_INVALID',
        `${where}: ${key}.json is not a JSON object (${(error as Error).message}). Write {"captions": ["..."]}.`,
        { file: shard },
        { cause: error },
      );
    }
  } else if (txt !== undefined) {
    info = { caption: decoder.decode(txt.body ?? new Uint8Array()) };
  }
  if (captionsOf(info).length === 0) {
    throw new DatasetError(
      'DATASET_ROW_INVALID',
      `${where} has no caption: add ${key}.json with {"captions": ["..."]} (or "caption"/"text"), or ${key}.txt.`,
      { file: shard },
    );
  }
  return info;
}

/**
 * `webdataset`: tar shards of `<key>.flac|wav` + `<key>.json` samples (the format LAION-CLAP
 * trains from). Write them with {@link writeWebDataset}.
 */
export const webdatasetDataset = definePlugin({
  kind: 'dataset',
  name: 'webdataset',
  version: DATA_VERSION,
  coreVersion: '^0.1.0',
  origin: ORIGIN,
  description: 'WebDataset tar shards: <key>.flac|wav + <key>.json (captions) per sample.',
  configSchema: webdatasetConfigSchema,
  create(config, context) {
    return new WebDataset(config, context.root);
  },
});
