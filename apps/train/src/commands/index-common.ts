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
  const index = await LibraryIndex.open(
    target.db,
    target.table === undefined ? {} : { table: target.table },
  );
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

/** Seconds as "1m05s" / "12s" / "?". */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
