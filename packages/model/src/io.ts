import { ClapError } from '@clapjs/core';
import type * as NodeFs from 'node:fs/promises';
import { ModelFormatError } from './errors.js';

/**
 * Where a saved model is read from: a directory path (Node), or any `fetch`-like function that
 * returns a file's bytes given its name relative to the model's root (browsers: wrap
 * `fetch(baseUrl + path)`).
 */
export type ModelSource = string | { readonly fetch: (path: string) => Promise<ArrayBuffer> };

// Node's fs is imported lazily, through a non-literal specifier, so that browser bundlers neither
// resolve nor load it (only directory sources and save() need it).
const FS_MODULE = 'node:fs/promises';
const nodeFs = (): Promise<typeof NodeFs> =>
  import(/* @vite-ignore */ FS_MODULE) as Promise<typeof NodeFs>;

/** Returns a reader of the files of a saved model. */
export function fileReader(source: ModelSource): (file: string) => Promise<Uint8Array> {
  const where = typeof source === 'string' ? source : 'the model source';
  return async (file) => {
    try {
      if (typeof source === 'string') {
        const fs = await nodeFs();
        const bytes = await fs.readFile(`${source.replace(/\/+$/, '')}/${file}`);
        return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      }
      return new Uint8Array(await source.fetch(file));
    } catch (error) {
      throw new ModelFormatError(
        'MODEL_FILE_MISSING',
        `Cannot read ${file} from ${where}: ${(error as Error).message}. A saved clapjs model has config.json, tokenizer.json, model.json and weights.*.bin; save it again with model.save(dir).`,
        { cause: error },
      );
    }
  };
}

/** Reads and parses a JSON file of a saved model. */
export async function readJson(
  read: (file: string) => Promise<Uint8Array>,
  file: string,
): Promise<unknown> {
  const text = new TextDecoder().decode(await read(file));
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ModelFormatError(
      'MODEL_FORMAT',
      `${file} is not valid JSON (${(error as Error).message}); save the model again.`,
      { cause: error },
    );
  }
}

function suffix(): string {
  return globalThis.crypto.randomUUID().slice(0, 8);
}

/**
 * Writes files into `dir` atomically: everything goes into `<dir>.tmp-<random>` first, which then
 * replaces `dir` by rename, so a crash never leaves a half-written model under `dir`. An existing
 * `dir` is replaced only if it is a saved clapjs model (it has model.json) or empty.
 * @throws ClapError `MODEL_SAVE_TARGET` when `dir` exists and is something else
 */
export async function writeFilesAtomic(
  dir: string,
  files: ReadonlyMap<string, Uint8Array>,
): Promise<void> {
  const fs = await nodeFs();
  const target = dir.replace(/\/+$/, '');
  const existing = await fs.readdir(target).catch(() => undefined);
  if (existing !== undefined && existing.length > 0 && !existing.includes('model.json')) {
    throw new ClapError(
      'MODEL_SAVE_TARGET',
      `Refusing to save a model into ${target}: it exists and is not a saved clapjs model (no model.json). Choose a new or empty directory.`,
    );
  }
  const parent = target.includes('/') ? target.slice(0, target.lastIndexOf('/')) : '.';
  await fs.mkdir(parent || '/', { recursive: true });
  const temp = `${target}.tmp-${suffix()}`;
  await fs.mkdir(temp);
  try {
    for (const [name, bytes] of files) await fs.writeFile(`${temp}/${name}`, bytes);
    if (existing === undefined) {
      await fs.rename(temp, target);
    } else {
      const old = `${target}.old-${suffix()}`;
      await fs.rename(target, old);
      await fs.rename(temp, target);
      await fs.rm(old, { recursive: true, force: true });
    }
  } catch (error) {
    await fs.rm(temp, { recursive: true, force: true });
    throw error;
  }
}
