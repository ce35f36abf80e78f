import type { LibraryIndex } from './store.js';

/**
 * Below this many rows no ANN index is built: exact search over them takes milliseconds, and
 * LanceDB's KMeans (which partitions the vectors) warns that it cannot train well on few rows
 * (docs/indexing.md).
 */
export const ANN_MIN_ROWS = 10_000;
/** The least share of the IVF partitions a query probes (docs/indexing.md has the recall figures). */
const PROBE_FRACTION = 0.05;
/** The least number of partitions a query probes, whatever the table's size. */
const MIN_PROBES = 20;

/**
 * ANN parameters chosen from the row count: an `IVF_FLAT` index (vectors kept exact, so the only
 * approximation is which partitions a query looks in) with about √rows partitions, and the number
 * of partitions each query probes.
 */
export interface AnnParameters {
  readonly type: 'IVF_FLAT';
  /** IVF partitions (KMeans clusters) the vectors are split into. */
  readonly numPartitions: number;
  /** Partitions a query searches: the nearest `nprobes` centroids' vectors are compared exactly. */
  readonly nprobes: number;
}

/** What {@link buildIndexes} builds. */
export interface IndexOptions {
  /**
   * When to build the ANN index: `auto` (default) from {@link ANN_MIN_ROWS} rows, `always` at any
   * row count (for measuring the index on a small library), `never` (queries stay exact).
   */
  readonly ann?: 'auto' | 'always' | 'never';
  /**
   * Build the full-text index on paths and captions (default true; hybrid search needs it). Off:
   * LanceDB 0.31's full-text build is slow on very large tables (docs/indexing.md).
   */
  readonly fullText?: boolean;
}

/** What {@link buildIndexes} did. */
export interface IndexReport {
  readonly rows: number;
  /** The ANN index built, or why none was. */
  readonly ann:
    | { readonly built: true; readonly parameters: AnnParameters }
    | { readonly built: false; readonly reason: string };
  /** Whether the full-text index on paths and captions was built, or why not. */
  readonly fullText:
    | { readonly built: true }
    | { readonly built: false; readonly reason: 'empty table' | 'not asked for' };
}

/**
 * The ANN parameters for `rows` rows: ~√rows partitions (~√rows vectors each), and a query probes
 * 5 % of them (at least 20): at 10⁶ rows 1,000 partitions, 50 probed, ~50,000 exact distances per
 * query. `searchByVector` uses the same function with the table's current row count.
 */
export function annParameters(rows: number): AnnParameters {
  const numPartitions = Math.max(1, Math.round(Math.sqrt(rows)));
  return {
    type: 'IVF_FLAT',
    numPartitions,
    nprobes: Math.min(
      numPartitions,
      Math.max(MIN_PROBES, Math.ceil(numPartitions * PROBE_FRACTION)),
    ),
  };
}

/**
 * Compacts the table, then builds the ANN index on the vectors (cosine; by default skipped below
 * {@link ANN_MIN_ROWS} rows, and the report says so) and the full-text index on `text` (without
 * token positions: no phrase queries, a smaller and faster build; docs/indexing.md).
 */
export async function buildIndexes(
  index: LibraryIndex,
  options: IndexOptions = {},
): Promise<IndexReport> {
  const table = await index.table();
  await table.optimize();
  const rows = await table.countRows();
  const when = options.ann ?? 'auto';
  let ann: IndexReport['ann'];
  if (when === 'never') {
    ann = { built: false, reason: 'not asked for: queries compare every row' };
  } else if (rows === 0 || (when === 'auto' && rows < ANN_MIN_ROWS)) {
    ann = {
      built: false,
      reason: `${rows} rows < ${rows === 0 ? 1 : ANN_MIN_ROWS}: exact search is fast at this size and the index's KMeans cannot train well`,
    };
  } else {
    const parameters = annParameters(rows);
    const { Index } = await import('@lancedb/lancedb');
    await table.createIndex('vector', {
      config: Index.ivfFlat({ distanceType: 'cosine', numPartitions: parameters.numPartitions }),
      replace: true,
    });
    ann = { built: true, parameters };
  }
  let fullText: IndexReport['fullText'];
  if (options.fullText === false) fullText = { built: false, reason: 'not asked for' };
  else if (rows === 0) fullText = { built: false, reason: 'empty table' };
  else {
    const { Index } = await import('@lancedb/lancedb');
    await table.createIndex('text', { config: Index.fts({ withPosition: false }), replace: true });
    fullText = { built: true };
  }
  return { rows, ann, fullText };
}
