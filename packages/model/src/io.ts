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

/** Reads one file of a saved model; `maxBytes` refuses a larger file before reading it. */
export type ModelFileReader = (file: string, maxBytes?: number) => Promise<Uint8Array>;

/** JSON files of a saved model (config, tokenizer, manifest) are read whole: this bounds them. */
export const MAX_JSON_BYTES = 256 * 1024 * 1024;

/**
 * A file name a saved model may list: one path segment of ordinary characters, so that a
 * manifest can only name files inside the model's own directory (never `../x`, `/dev/zero`).
 */
export function isModelFileName(file: unknown): file is string {
  return (
    typeof file === 'string' &&
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/.test(file) &&
    file !== '.' &&
    file !== '..'
  );
}

/**
 * Returns a reader of the files of a saved model. For a directory, each file must be a regular
 * file whose real path (after symlinks) stays inside the directory's real path.
 */
export function fileReader(source: ModelSource): ModelFileReader {
  const where = typeof source === 'string' ? source : 'the model source';
  const fail = (code: string, file: string, why: string, cause?: unknown): never => {
    throw new ModelFormatError(
      code,
      `Cannot read ${String(file).slice(0, 200)} from ${where}: ${why}. A saved clapjs model has config.json, tokenizer.json, model.json and weights.*.bin; save it again with model.save(dir).`,
      cause === undefined ? undefined : { cause },
    );
  };
  return async (file, maxBytes) => {
    if (!isModelFileName(file))
      return fail('MODEL_PATH', file, 'it is not a plain file name inside the model directory');
    let bytes: Uint8Array;
    try {
      if (typeof source === 'string') {
        const fs = await nodeFs();
        const root = await fs.realpath(source);
        const real = await fs.realpath(`${root}/${file}`);
        if (!real.startsWith(`${root}/`))
          return fail('MODEL_PATH', file, `it resolves to ${real}, outside the model directory`);
        const stat = await fs.stat(real);
        if (!stat.isFile()) return fail('MODEL_PATH', file, 'it is not a regular file');
        if (maxBytes !== undefined && stat.size > maxBytes)
          return fail(
            'MODEL_FORMAT',
            file,
            `it has ${stat.size} bytes, more than the ${maxBytes} expected`,
          );
        const buffer = await fs.readFile(real);
        bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      } else {
        bytes = new Uint8Array(await source.fetch(file));
      }
    } catch (error) {
      if (error instanceof ClapError) throw error;
      return fail('MODEL_FILE_MISSING', file, (error as Error).message, error);
    }
    if (maxBytes !== undefined && bytes.byteLength > maxBytes)
      return fail(
        'MODEL_FORMAT',
        file,
        `it has ${bytes.byteLength} bytes, more than the ${maxBytes} expected`,
      );
    return bytes;
  };
}

/** Reads and parses a JSON file of a saved model. */
export async function readJson(read: ModelFileReader, file: string): Promise<unknown> {
  const text = new TextDecoder().decode(await read(file, MAX_JSON_BYTES));
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
