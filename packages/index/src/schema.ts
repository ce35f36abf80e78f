import type { Schema } from 'apache-arrow';

// apache-arrow is imported when a schema is first needed, so importing @clapjs/index loads no engine.

/**
 * One row of a library table: one window of one file. The key is (`id`, `window_start`): a file
 * re-embedded with the same id overwrites nothing and adds nothing.
 */
// A type alias, not an interface: LanceDB takes rows as Record<string, unknown>.
export type IndexRow = {
  /** The file's stable id (root name, relative path, size and mtime hashed; see `fileId`). */
  id: string;
  /** The name of the root the path is relative to (workers map names to local directories). */
  root: string;
  /** Path relative to the root, `/`-separated. */
  path: string;
  /** The window's start and end in the file, seconds. */
  window_start: number;
  window_end: number;
  /** The whole file's duration, seconds. */
  duration: number;
  /** The model that made the vector (see {@link ModelIdentity}). */
  config_hash: string;
  weights_hash: string;
  /** A caption or tags, when the library has them (empty otherwise). */
  caption: string;
  /** What the full-text index covers: the path (with separators as spaces) and the caption. */
  text: string;
  /** User metadata, JSON. */
  metadata: string;
  /** The L2-normalised audio embedding. */
  vector: number[];
};

/** The columns of {@link IndexRow}, for `select`. */
export const ROW_COLUMNS = [
  'id',
  'root',
  'path',
  'window_start',
  'window_end',
  'duration',
  'config_hash',
  'weights_hash',
  'caption',
  'text',
  'metadata',
] as const;

/** The Arrow schema of a library table whose vectors have `dim` components. */
export async function rowSchema(dim: number): Promise<Schema> {
  const { Field, FixedSizeList, Float32, Float64, Schema, Utf8 } = await import('apache-arrow');
  return new Schema([
    new Field('id', new Utf8(), false),
    new Field('root', new Utf8(), false),
    new Field('path', new Utf8(), false),
    new Field('window_start', new Float64(), false),
    new Field('window_end', new Float64(), false),
    new Field('duration', new Float64(), false),
    new Field('config_hash', new Utf8(), false),
    new Field('weights_hash', new Utf8(), false),
    new Field('caption', new Utf8(), false),
    new Field('text', new Utf8(), false),
    new Field('metadata', new Utf8(), false),
    new Field('vector', new FixedSizeList(dim, new Field('item', new Float32(), true)), false),
  ]);
}

/** The schema of the table that records, for each library table, its model and roots. */
export async function tablesSchema(): Promise<Schema> {
  const { Field, Float64, Schema, Utf8 } = await import('apache-arrow');
  return new Schema([
    new Field('table', new Utf8(), false),
    new Field('config_hash', new Utf8(), false),
    new Field('weights_hash', new Utf8(), false),
    new Field('model_source', new Utf8(), false),
    new Field('dim', new Float64(), false),
    new Field('roots', new Utf8(), false),
  ]);
}

/** A string literal for a LanceDB (DataFusion SQL) filter. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
