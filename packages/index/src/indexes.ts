import { Index } from '@lancedb/lancedb';
import type { LibraryIndex } from './store.js';

/**
 * Below this many rows no ANN index is built: exact search over them takes milliseconds, and
 * LanceDB's KMeans (which partitions the vectors) warns that it cannot train well on few rows
 * (docs/indexing.md).
 */
export const ANN_MIN_ROWS = 10_000;
/** Target rows per IVF partition of the HNSW index. */
const ROWS_PER_PARTITION = 100_000;

/** ANN parameters chosen from the row count. */
export interface AnnParameters {
  readonly type: 'IVF_HNSW_SQ';
  readonly numPartitions: number;
  readonly m: number;
  readonly efConstruction: number;
}

/** What {@link buildIndexes} did. */
export interface IndexReport {
  readonly rows: number;
  /** The ANN index built, or why none was. */
  readonly ann:
    | { readonly built: true; readonly parameters: AnnParameters }
    | { readonly built: false; readonly reason: string };
  /** Whether the full-text index on paths and captions was built. */
  readonly fullText: boolean;
}

/** The ANN parameters for `rows` rows: one IVF partition per ~100k rows, HNSW graphs inside. */
export function annParameters(rows: number): AnnParameters {
  return {
    type: 'IVF_HNSW_SQ',
    numPartitions: Math.max(1, Math.round(rows / ROWS_PER_PARTITION)),
    m: 20,
    efConstruction: 300,
  };
}

/**
 * Compacts the table, then builds the ANN index on the vectors (cosine; skipped below
 * {@link ANN_MIN_ROWS} rows, and the report says so) and the full-text index on `text`.
 */
export async function buildIndexes(index: LibraryIndex): Promise<IndexReport> {
  const table = await index.table();
  await table.optimize();
  const rows = await table.countRows();
  let ann: IndexReport['ann'];
  if (rows < ANN_MIN_ROWS) {
    ann = {
      built: false,
      reason: `${rows} rows < ${ANN_MIN_ROWS}: exact search is fast at this size and the index's KMeans cannot train well`,
    };
  } else {
    const parameters = annParameters(rows);
    await table.createIndex('vector', {
      config: Index.hnswSq({
        distanceType: 'cosine',
        numPartitions: parameters.numPartitions,
        m: parameters.m,
        efConstruction: parameters.efConstruction,
      }),
      replace: true,
    });
    ann = { built: true, parameters };
  }
  let fullText = false;
  if (rows > 0) {
    await table.createIndex('text', { config: Index.fts(), replace: true });
    fullText = true;
  }
  return { rows, ann, fullText };
}
