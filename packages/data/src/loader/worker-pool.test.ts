import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getPreset, LogMelExtractor } from '@clapjs/audio';
import { create } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import '../register.js';
import { CorruptAudioError } from '../errors.js';
import { tempDir, writeText, writeWav } from '../test-utils/fixtures.js';
import { DataLoader } from './data-loader.js';
import type { Batch } from './data-loader.js';

// Workers run the built script (dist/loader-worker.js); CI builds before testing.
const built = existsSync(fileURLToPath(new URL('../../dist/loader-worker.js', import.meta.url)));
const frontEnd = new LogMelExtractor({ ...getPreset('fast'), clipSeconds: 0.5 });
const summary = (batches: Batch[]) =>
  batches.map((b) => ({ ids: b.ids, captions: b.captions, logMel: Array.from(b.logMel) }));

async function take(loader: DataLoader, n: number): Promise<Batch[]> {
  const out: Batch[] = [];
  for (let i = 0; i < n; i++) out.push(await loader.next());
  return out;
}

describe.skipIf(!built)('DataLoader with worker threads', () => {
  it('gives the same batches as the main thread, and resumes the same way', async () => {
    const dataset = create('dataset', { name: 'synth', size: 24, clipSeconds: 0.5 }, { root: '.' });
    const options = { batchSize: 4, seed: 5, frontEnd, augment: { timeMasks: 1 } };
    const local = new DataLoader(dataset, options);
    const pooled = new DataLoader(dataset, { ...options, workers: 2, cacheDir: tempDir() });
    try {
      const expected = await take(local, 8);
      expect(summary(await take(pooled, 8))).toEqual(summary(expected));
      // Each of the 24 items is computed once; the second epoch's come from the cache (the
      // prefetcher may already have read a few items of the next batch: hence at least 8).
      expect(pooled.stats.computed).toBe(24);
      expect(pooled.stats.cacheHits).toBeGreaterThanOrEqual(8);
      pooled.setState({ seed: 5, epoch: 0, position: 8, skipped: 0 });
      expect(summary(await take(pooled, 2))).toEqual(summary(expected.slice(2, 4)));
    } finally {
      await pooled.close();
    }
  });

  it('skips corrupt files in workers, or fails with a CorruptAudioError', async () => {
    const root = tempDir();
    writeWav(join(root, 'a.wav'));
    writeWav(join(root, 'b.wav'));
    writeFileSync(join(root, 'c.wav'), 'not audio');
    writeText(
      join(root, 'm.jsonl'),
      ['a', 'b', 'c'].map((n) => JSON.stringify({ path: `${n}.wav`, caption: n })).join('\n'),
    );
    const dataset = create('dataset', { name: 'manifest', path: 'm.jsonl' }, { root });
    const skipping = new DataLoader(dataset, {
      batchSize: 2,
      seed: 0,
      frontEnd,
      workers: 1,
      workerRoot: root,
    });
    const failing = new DataLoader(dataset, {
      batchSize: 3,
      seed: 0,
      frontEnd,
      workers: 1,
      workerRoot: root,
      onCorrupt: 'fail',
    });
    try {
      const ids = [];
      for await (const batch of skipping.evalBatches()) ids.push(...batch.ids);
      expect([ids, skipping.skipped]).toEqual([['a.wav', 'b.wav'], 1]);
      await expect(failing.next()).rejects.toBeInstanceOf(CorruptAudioError);
    } finally {
      await Promise.all([skipping.close(), failing.close()]);
    }
  });
});
