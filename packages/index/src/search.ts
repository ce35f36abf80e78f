import { IndexError } from './errors.js';
import { annParameters } from './indexes.js';
import { ROW_COLUMNS } from './schema.js';
import type { LibraryIndex } from './store.js';

/** One search result: a file, its best window and that window's score. */
export interface SearchHit {
  readonly id: string;
  readonly root: string;
  readonly path: string;
  /** The best window's span in the file, seconds. */
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly duration: number;
  readonly caption: string;
  readonly metadata: Record<string, unknown>;
  /** Cosine similarity of the best window (vector search), or the fused rank score (hybrid). */
  readonly score: number;
}

/** Options of {@link searchByVector}. */
export interface SearchOptions {
  /** Files to return (default 10). */
  readonly k?: number;
  /** A LanceDB SQL filter on the row columns, e.g. `duration > 2 AND path LIKE 'dogs/%'`. */
  readonly where?: string;
  /**
   * Hybrid ranking: fuses the vector ranking with a full-text search of this text on paths and
   * captions (reciprocal rank fusion). Needs the full-text index that `buildIndexes` makes.
   */
  readonly hybridText?: string;
  /**
   * Exact search: compare the query with every row, bypassing the ANN index (the ground truth an
   * index's recall is measured against; slow on large tables).
   */
  readonly exact?: boolean;
}

type Row = Record<(typeof ROW_COLUMNS)[number], string | number> & {
  _distance?: number;
  _relevance_score?: number;
};

/** LanceDB's message up to its source location and cause chain. */
function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split(/\n|, \/\S+\.rs:\d+| {2}Caused by:/)[0] ?? message).trim();
}

function toHit(row: Row): SearchHit {
  const score =
    row._relevance_score !== undefined ? Number(row._relevance_score) : 1 - Number(row._distance);
  return {
    id: String(row.id),
    root: String(row.root),
    path: String(row.path),
    windowStart: Number(row.window_start),
    windowEnd: Number(row.window_end),
    duration: Number(row.duration),
    caption: String(row.caption),
    metadata: JSON.parse(String(row.metadata)) as Record<string, unknown>,
    score,
  };
}

/**
 * The `k` files whose best window is nearest to `vector` (cosine), best first: one hit per file.
 * Deterministic for a given table version (ties broken by path, then window start).
 * @throws IndexError for a bad k or a filter LanceDB rejects
 */
export async function searchByVector(
  index: LibraryIndex,
  vector: Float32Array,
  options: SearchOptions = {},
): Promise<SearchHit[]> {
  const k = options.k ?? 10;
  if (!Number.isInteger(k) || k < 1 || k > 10_000)
    throw new IndexError('INDEX_QUERY_INVALID', `k must be an integer from 1 to 10000, got ${k}.`);
  const info = await index.requireInfo();
  if (vector.length !== info.dim)
    throw new IndexError(
      'INDEX_QUERY_INVALID',
      `The query vector has ${vector.length} components; table "${index.name}" holds ${info.dim}.`,
    );
  const table = await index.table();
  const rejected = (error: unknown) =>
    new IndexError(
      'INDEX_QUERY_INVALID',
      `LanceDB rejected the query${options.where === undefined ? '' : ` (filter: ${options.where})`}: ${firstLine(error)}. Check the filter's SQL and column names (${ROW_COLUMNS.join(', ')}).`,
      { cause: error },
    );
  let total: number;
  try {
    total = await table.countRows(options.where);
  } catch (error) {
    throw rejected(error);
  }
  // The partitions to probe follow the table's size, as the index's partitions did when it was built.
  const { nprobes } = annParameters(options.where === undefined ? total : await table.countRows());
  // Rows are windows: ask for more until k distinct files are found (or every row was seen).
  for (let limit = k * 2; ; limit *= 4) {
    let query = table
      .vectorSearch(Array.from(vector))
      .distanceType('cosine')
      .nprobes(nprobes)
      // Hybrid: the full-text side has no _distance to select (the fused score comes back instead).
      .select(options.hybridText === undefined ? [...ROW_COLUMNS, '_distance'] : [...ROW_COLUMNS])
      .limit(limit);
    if (options.exact === true) query = query.bypassVectorIndex();
    if (options.where !== undefined) query = query.where(options.where);
    if (options.hybridText !== undefined)
      query = query
        .fullTextSearch(options.hybridText, { columns: ['text'] })
        .rerank(await (await import('@lancedb/lancedb')).rerankers.RRFReranker.create());
    let rows: Row[];
    try {
      rows = (await query.toArray()) as Row[];
    } catch (error) {
      throw rejected(error);
    }
    const best = new Map<string, SearchHit>();
    for (const hit of rows.map(toHit)) {
      const seen = best.get(hit.id);
      if (seen === undefined || hit.score > seen.score) best.set(hit.id, hit);
    }
    if (best.size >= k || limit >= total) {
      return [...best.values()]
        .sort(
          (a, b) =>
            b.score - a.score ||
            (a.path < b.path ? -1 : a.path > b.path ? 1 : a.windowStart - b.windowStart),
        )
        .slice(0, k);
    }
  }
}
