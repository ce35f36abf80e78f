import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '@clapjs/core';
import { ANN_MIN_ROWS, annParameters, buildIndexes } from './indexes.js';
import type { IndexRow } from './schema.js';
import { searchByVector } from './search.js';
import { LibraryIndex } from './store.js';
import { tempDir } from './test-utils/fixtures.js';

const DIM = 16;

function unit(v: number[]): number[] {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function unitVector(rng: Rng): number[] {
  return unit(Array.from({ length: DIM }, () => rng.normal(0, 1)));
}

/** Clustered like a library's embeddings: similar sounds near one another, no two rows equal. */
function libraryVector(rng: Rng, centres: readonly number[][], i: number): number[] {
  const centre = centres[i % centres.length] ?? [];
  return unit(centre.map((x) => x + rng.normal(0, 0.25)));
}

const MODEL = { configHash: 'c'.repeat(64), weightsHash: 'w'.repeat(64) };

/** A table of `count` clustered rows (around `clusters` random centres) in a fresh database. */
async function clusteredTable(
  path: string,
  root: string,
  rng: Rng,
  count: number,
  clusters: number,
): Promise<{ index: LibraryIndex; rows: IndexRow[] }> {
  const index = await LibraryIndex.open(path);
  await index.ensureTable(MODEL, DIM, { library: root });
  const centres = Array.from({ length: clusters }, () => unitVector(rng));
  const rows: IndexRow[] = Array.from({ length: count }, (_, i) => ({
    id: i.toString(16).padStart(16, '0'),
    root: 'library',
    path: `clip-${i}.wav`,
    window_start: 0,
    window_end: 1,
    duration: 1,
    config_hash: MODEL.configHash,
    weights_hash: MODEL.weightsHash,
    caption: '',
    text: `clip ${i} wav`,
    metadata: '{}',
    vector: libraryVector(rng, centres, i),
  }));
  expect(await index.upsert(rows)).toBe(count);
  return { index, rows };
}

describe('buildIndexes', () => {
  const dir = tempDir();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('chooses partitions and probes from the row count', () => {
    expect(annParameters(10_000)).toEqual({ type: 'IVF_FLAT', numPartitions: 100, nprobes: 20 });
    expect(annParameters(1_000_000)).toEqual({
      type: 'IVF_FLAT',
      numPartitions: 1000,
      nprobes: 50,
    });
    expect(annParameters(100).nprobes).toBe(10);
  });

  it(`builds the ANN index from ${ANN_MIN_ROWS} rows, and search through it finds the nearest file`, async () => {
    const rng = new Rng(7);
    const { index, rows } = await clusteredTable(join(dir, 'db'), dir, rng, ANN_MIN_ROWS, 64);
    const report = await buildIndexes(index);
    expect(report.ann.built).toBe(true);
    expect(report.fullText).toEqual({ built: true });
    const indices = await (await index.table()).listIndices();
    expect(indices.map((i) => i.indexType).sort()).toEqual(['FTS', 'IvfFlat']);
    let found = 0;
    for (const i of [3, 1234, 5678, 9999]) {
      const [hit] = await searchByVector(index, Float32Array.from(rows[i]?.vector ?? []), { k: 1 });
      if (hit?.path === `clip-${i}.wav`) found++;
    }
    expect(found).toBe(4);
    // recall@10 against exact search (cosine over every row), for queries that are not rows
    let recall = 0;
    const queries = 20;
    for (let q = 0; q < queries; q++) {
      const query = unitVector(rng);
      const exact = rows
        .map((row) => ({
          path: row.path,
          dot: row.vector.reduce((s, x, d) => s + x * query[d]!, 0),
        }))
        .sort((a, b) => b.dot - a.dot)
        .slice(0, 10)
        .map((r) => r.path);
      const hits = await searchByVector(index, Float32Array.from(query), { k: 10 });
      recall += hits.filter((h) => exact.includes(h.path)).length / 10;
    }
    expect(recall / queries).toBeGreaterThanOrEqual(0.95);
  });

  it('builds the ANN index below the threshold when asked, skips the full-text one, and exact search bypasses it', async () => {
    const rng = new Rng(11);
    const { index, rows } = await clusteredTable(join(dir, 'small'), dir, rng, 900, 16);
    const never = await buildIndexes(index, { ann: 'never', fullText: false });
    expect(never.ann.built).toBe(false);
    expect(never.fullText).toEqual({ built: false, reason: 'not asked for' });
    expect(await (await index.table()).listIndices()).toEqual([]);
    const report = await buildIndexes(index, { ann: 'always', fullText: false });
    expect(report.ann).toEqual({ built: true, parameters: annParameters(900) });
    const indices = await (await index.table()).listIndices();
    expect(indices.map((i) => i.indexType)).toEqual(['IvfFlat']);
    for (let q = 0; q < 5; q++) {
      const query = unitVector(rng);
      const truth = rows
        .map((row) => ({
          path: row.path,
          dot: row.vector.reduce((s, x, d) => s + x * query[d]!, 0),
        }))
        .sort((a, b) => b.dot - a.dot)
        .slice(0, 10);
      const hits = await searchByVector(index, Float32Array.from(query), { k: 10, exact: true });
      expect(hits.map((h) => h.path)).toEqual(truth.map((t) => t.path));
      hits.forEach((h, i) => expect(h.score).toBeCloseTo(truth[i]!.dot, 5));
    }
  });
});
