import { ClapError } from '@clapjs/core';
import { readShardSamples } from '@clapjs/data';
import type { LibraryFile } from './walk.js';

/** Extension of the WebDataset shards a walk indexes (uncompressed tar). */
export const SHARD_EXTENSION = 'tar';

/**
 * The library files of one WebDataset shard: one per sample (`key.flac|wav|mp3|ogg` with
 * `key.json` / `key.txt` captions), each with path `<shard path>/<key>.<ext>` (stable per shard and
 * key), the shard's modification time, the member's size, the sample's captions and metadata, and
 * where its bytes lie in the shard. Only the shard's headers and caption members are read here.
 * A shard that cannot be read (damaged, not a tar, a sample without audio or captions) becomes one
 * entry carrying its typed error, so that a build reports it instead of stopping.
 * @param absolute the shard's path on this machine
 * @param path the shard's path relative to the library root, `/`-separated
 */
export function shardFiles(
  absolute: string,
  path: string,
  shard: { size: number; mtimeMs: number },
): LibraryFile[] {
  try {
    return readShardSamples(absolute).map((sample) => ({
      path: `${path}/${sample.audioName}`,
      size: sample.audio.size,
      mtimeMs: shard.mtimeMs,
      caption: sample.captions.join(' | '),
      metadata: {
        captions: [...sample.captions],
        ...(typeof sample.info['label'] === 'string' ? { label: sample.info['label'] } : {}),
        ...(typeof sample.info['split'] === 'string' ? { split: sample.info['split'] } : {}),
        shard: path,
        key: sample.key,
      },
      member: { shard: path, offset: sample.audio.offset, size: sample.audio.size },
    }));
  } catch (error) {
    if (!(error instanceof ClapError)) throw error;
    return [
      {
        path,
        size: shard.size,
        mtimeMs: shard.mtimeMs,
        unreadable: { code: error.code, message: error.message },
      },
    ];
  }
}

/** The shard a row's path lies in (`a/b.tar/key.flac` → `a/b.tar`), or undefined for a plain file. */
export function shardOfPath(path: string): string | undefined {
  const at = path.toLowerCase().indexOf(`.${SHARD_EXTENSION}/`);
  return at === -1 ? undefined : path.slice(0, at + SHARD_EXTENSION.length + 1);
}
