// Shared by `clapjs index build|search`, `clapjs worker` and `clapjs serve`: opening a library
// table and loading the model it was built with.
import { join, resolve } from 'node:path';
import type { BackendName } from '@clapjs/core';
import { Embedder, LibraryIndex } from '@clapjs/index';
import { chooseBackend } from '../backend.js';
import { CliError } from '../errors.js';
import { loadModel } from '../model-io.js';

const DEFAULT_MODEL_DIR = join('runs', 'default', 'model');

/** Options every index command takes. */
export interface IndexTarget {
  db: string;
  table?: string;
  model?: string;
  /** Repeated `--storage-option KEY=VALUE`: LanceDB storage options (e.g. S3 credentials). */
  storageOption?: string[];
  backend: 'auto' | BackendName;
}

/**
 * Opens the table and loads a model: `--model DIR` when given, else the model the table records,
 * else the default model. The table refuses another model's queries (ModelMismatchError).
 */
export async function openLibrary(
  target: IndexTarget,
  log: (line: string) => void = () => {},
): Promise<{ index: LibraryIndex; embedder: Embedder }> {
  await chooseBackend(target.backend, log);
  const storageOptions = parseStorageOptions(target.storageOption);
  const index = await LibraryIndex.open(target.db, {
    ...(target.table === undefined ? {} : { table: target.table }),
    ...(storageOptions === undefined ? {} : { storageOptions }),
  });
  const dir = target.model ?? (await index.info())?.model.source ?? DEFAULT_MODEL_DIR;
  const embedder = await Embedder.create(await loadModel(dir), resolve(dir));
  try {
    await index.checkModel(embedder.identity);
  } catch (error) {
    embedder.model.dispose();
    throw error;
  }
  return { index, embedder };
}

/** Parses repeated `NAME=PATH` options into a map (absolute paths). */
export function parseRoots(values: readonly string[] = []): Record<string, string> {
  const roots: Record<string, string> = {};
  for (const value of values) {
    const at = value.indexOf('=');
    if (at < 1 || at === value.length - 1)
      throw new CliError(
        'ROOT_INVALID',
        `--root ${value}: expected NAME=PATH, e.g. --root library=/mnt/sounds.`,
      );
    roots[value.slice(0, at)] = resolve(value.slice(at + 1));
  }
  return roots;
}

/**
 * Parses repeated `--storage-option KEY=VALUE` into LanceDB's storage options (undefined when
 * none), e.g. `aws_endpoint=http://minio:9000` or `aws_region=eu-west-1` for an `s3://` database.
 */
export function parseStorageOptions(
  values: readonly string[] = [],
): Record<string, string> | undefined {
  if (values.length === 0) return undefined;
  const options: Record<string, string> = {};
  for (const value of values) {
    const at = value.indexOf('=');
    if (at < 1)
      throw new CliError(
        'STORAGE_OPTION_INVALID',
        `--storage-option ${value}: expected KEY=VALUE, e.g. --storage-option aws_region=eu-west-1.`,
      );
    options[value.slice(0, at)] = value.slice(at + 1);
  }
  return options;
}

/** Seconds as "1m05s" / "12s" / "?". */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
