import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { openFileSource, type ByteSource } from './byte-source.js';
import { openByContent } from './detect.js';
import { CheckpointError } from './errors.js';
import type { OpenedFile, TensorEntry } from './reader.js';

/** Index files larger than this are refused (a real one lists a few thousand names). */
const MAX_INDEX_BYTES = 64 * 1024 * 1024;

/**
 * Opens a Hugging Face sharded checkpoint from its index (`model.safetensors.index.json` or
 * `pytorch_model.bin.index.json`): `weight_map` names each tensor's shard, a file in the index's
 * folder (plain file names only: a shard can never point outside the folder). Each shard's index
 * is read; tensor data is read lazily from the shard that holds it.
 * @throws CheckpointError (`SHARD_INDEX_FORMAT`, and whatever a shard's reader throws)
 */
export async function openSharded(indexPath: string, indexSize: number): Promise<OpenedFile> {
  const fail = (why: string): never => {
    throw new CheckpointError(
      'SHARD_INDEX_FORMAT',
      `${indexPath} is not a valid shard index: ${why}; it must be {"weight_map": {"<tensor>": "<shard file>", …}}.`,
    );
  };
  if (indexSize > MAX_INDEX_BYTES) fail(`it has ${indexSize} bytes`);
  let index: unknown;
  try {
    index = JSON.parse(await readFile(indexPath, 'utf8'));
  } catch (error) {
    return fail(`it does not parse as JSON (${(error as Error).message})`);
  }
  const weightMap = (index as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    return fail('it has no weight_map object');
  }
  const shardOf = new Map<string, string>();
  for (const [name, file] of Object.entries(weightMap as Record<string, unknown>)) {
    if (typeof file !== 'string' || !/^[^/\\\0]+$/.test(file) || file === '.' || file === '..') {
      fail(
        `"${name.slice(0, 200)}" maps to ${JSON.stringify(file)?.slice(0, 80)}, not a file name in the index's folder`,
      );
    }
    shardOf.set(name, file as string);
  }
  if (shardOf.size === 0) fail('its weight_map is empty');

  const folder = dirname(indexPath);
  const sources: ByteSource[] = [];
  try {
    const shards = new Map<string, OpenedFile>();
    for (const file of new Set(shardOf.values())) {
      const source = await openFileSource(join(folder, file));
      sources.push(source);
      shards.set(file, await openByContent(source));
    }
    const tensors = new Map<string, TensorEntry>();
    for (const [name, file] of shardOf) {
      const entry = shards.get(file)!.tensors.get(name);
      if (entry === undefined) fail(`its shard ${file} has no tensor "${name.slice(0, 200)}"`);
      tensors.set(name, entry!);
    }
    const formats = new Set([...shards.values()].map((shard) => shard.format));
    return {
      path: indexPath,
      format: formats.has('torch-zip') ? 'torch-zip-sharded' : 'safetensors-sharded',
      topLevel: [...tensors.keys()].map((key) => ({ key, tensors: 1, kind: 'tensor' as const })),
      tensors,
      sources,
    };
  } catch (error) {
    await Promise.all(sources.map((source) => source.close()));
    throw error;
  }
}
