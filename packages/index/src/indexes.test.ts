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

function unitVector(rng: Rng): number[] {
  const v = Array.from({ length: DIM }, () => rng.normal(0, 1));
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

describe('buildIndexes', () => {
  const dir = tempDir();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('chooses partitions from the row count', () => {
    expect(annParameters(20_000).numPartitions).toBe(1);
    expect(annParameters(1_000_000).numPartitions).toBe(10);
  });

  it(`builds the ANN index from ${ANN_MIN_ROWS} rows, and search through it finds the nearest file`, async () => {
    const index = await LibraryIndex.open(join(dir, 'db'));
    const model = { configHash: 'c'.repeat(64), weightsHash: 'w'.repeat(64) };
    await index.ensureTable(model, DIM, { library: dir });
    const rng = new Rng(7);
    const rows: IndexRow[] = Array.from({ length: ANN_MIN_ROWS }, (_, i) => ({
      id: i.toString(16).padStart(16, '0'),
      root: 'library',
      path: `clip-${i}.wav`,
      window_start: 0,
      window_end: 1,
      duration: 1,
      config_hash: model.configHash,
      weights_hash: model.weightsHash,
      caption: '',
      text: `clip ${i} wav`,
      metadata: '{}',
      vector: unitVector(rng),
    }));
    expect(await index.upsert(rows)).toBe(ANN_MIN_ROWS);
    const report = await buildIndexes(index);
    expect(report.ann.built).toBe(true);
    expect(report.fullText).toBe(true);
    const indices = await (await index.table()).listIndices();
    expect(indices.map((i) => i.indexType).sort()).toEqual(['FTS', 'IvfHnswSq']);
    let found = 0;
    for (const i of [3, 1234, 5678, 9999]) {
      const [hit] = await searchByVector(index, Float32Array.from(rows[i]?.vector ?? []), { k: 1 });
      if (hit?.path === `clip-${i}.wav`) found++;
    }
    expect(found).toBe(4);
  });
});
