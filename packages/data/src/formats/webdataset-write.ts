import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { encodeWav } from '@clapjs/audio';
import type { Dataset, DatasetItem } from '@clapjs/core';
import { pack } from 'tar-stream';
import { DatasetError } from '../errors.js';

/** Options of {@link writeWebDataset}. */
export interface WriteWebDatasetOptions {
  /** Samples per shard (default 1000). */
  readonly shardSize?: number;
  /** Shard file name prefix (default `shard`): `shard-000000.tar`, `shard-000001.tar`, ... */
  readonly prefix?: string;
  /** How decoded samples are stored (default `pcm16`); file sources keep their own bytes. */
  readonly wavFormat?: 'pcm16' | 'float32';
}

/** What {@link writeWebDataset} wrote. */
export interface WrittenWebDataset {
  readonly shards: string[];
  readonly count: number;
}

/** Every item of a dataset, in order, for {@link writeWebDataset}. */
export async function* datasetItems(dataset: Dataset): AsyncGenerator<DatasetItem> {
  for (let i = 0; i < dataset.size; i++) yield await dataset.get(i);
}

async function audioMember(
  item: DatasetItem,
  wavFormat: 'pcm16' | 'float32',
): Promise<{ ext: string; bytes: Uint8Array }> {
  if (item.audio.kind === 'samples')
    return {
      ext: 'wav',
      bytes: encodeWav(item.audio.samples, item.audio.sampleRate, { format: wavFormat }),
    };
  const ext = extname(item.audio.path).slice(1).toLowerCase();
  if (!['flac', 'wav', 'mp3', 'ogg'].includes(ext)) {
    throw new DatasetError(
      'DATASET_ROW_INVALID',
      `Item "${item.id}": ${item.audio.path} is not .flac, .wav, .mp3 or .ogg; convert it first.`,
      { file: item.audio.path },
    );
  }
  return { ext, bytes: await readFile(item.audio.path) };
}

async function writeShard(
  file: string,
  entries: { name: string; bytes: Uint8Array }[],
): Promise<void> {
  // Written under a temporary name and renamed, so a shard that exists is always complete.
  const temp = `${file}.tmp-${process.pid}`;
  const tar = pack();
  const done = pipeline(tar, createWriteStream(temp));
  for (const entry of entries)
    tar.entry(
      { name: entry.name, size: entry.bytes.length, mtime: new Date(0) },
      Buffer.from(entry.bytes.buffer, entry.bytes.byteOffset, entry.bytes.byteLength),
    );
  tar.finalize();
  try {
    await done;
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Writes items as WebDataset tar shards: per sample `<key>.wav|flac` and `<key>.json` holding
 * `{ id, captions, label?, split?, meta? }`. Keys are running numbers (`000000`, ...), ids stay
 * in the JSON. Each shard is written to a temporary file and renamed when complete.
 * @example await writeWebDataset(datasetItems(synth), 'out/shards', { shardSize: 500 })
 */
export async function writeWebDataset(
  items: Iterable<DatasetItem> | AsyncIterable<DatasetItem>,
  outDir: string,
  options: WriteWebDatasetOptions = {},
): Promise<WrittenWebDataset> {
  const shardSize = options.shardSize ?? 1000;
  if (!Number.isInteger(shardSize) || shardSize < 1) {
    throw new DatasetError(
      'DATASET_CONFIG_INVALID',
      `writeWebDataset: shardSize must be a positive integer, got ${shardSize}.`,
    );
  }
  const prefix = options.prefix ?? 'shard';
  await mkdir(outDir, { recursive: true });
  const shards: string[] = [];
  let entries: { name: string; bytes: Uint8Array }[] = [];
  let count = 0;
  const flush = async (): Promise<void> => {
    if (entries.length === 0) return;
    const file = join(outDir, `${prefix}-${String(shards.length).padStart(6, '0')}.tar`);
    await writeShard(file, entries);
    shards.push(file);
    entries = [];
  };
  for await (const item of items) {
    const key = String(count).padStart(6, '0');
    const audio = await audioMember(item, options.wavFormat ?? 'pcm16');
    const info = {
      id: item.id,
      captions: item.captions,
      label: item.label,
      split: item.split,
      meta: item.meta,
    };
    entries.push(
      { name: `${key}.${audio.ext}`, bytes: audio.bytes },
      { name: `${key}.json`, bytes: new TextEncoder().encode(JSON.stringify(info)) },
    );
    count++;
    if (count % shardSize === 0) await flush();
  }
  await flush();
  if (count === 0)
    throw new DatasetError(
      'DATASET_EMPTY',
      `writeWebDataset: no items to write to ${outDir}. Pass a non-empty dataset.`,
    );
  return { shards, count };
}
