import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getPreset, LogMelExtractor } from '@clapjs/audio';
import { create } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import '../register.js';
import { CorruptAudioError, DatasetError } from '../errors.js';
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

  it('a full disk under the log-mel cache is one typed line from a worker; earlier entries stay intact', async () => {
    const dataset = create('dataset', { name: 'synth', size: 8, clipSeconds: 0.5 }, { root: '.' });
    const cacheDir = tempDir();
    const options = { batchSize: 4, seed: 1, frontEnd, workers: 1, cacheDir, prefetch: 0 };
    // A first run fills the cache with the first batch's entries.
    const filling = new DataLoader(dataset, options);
    try {
      await filling.next();
    } finally {
      await filling.close();
    }
    const entries = (): Map<string, Buffer> =>
      new Map(
        readdirSync(cacheDir, { recursive: true, encoding: 'utf8' })
          .map((p) => join(cacheDir, p))
          .filter((p) => statSync(p).isFile())
          .map((p) => [p, readFileSync(p)]),
      );
    const before = entries();
    expect(before.size).toBe(4);
    // Then the disk is full (a real ENOSPC, in the worker thread): the second batch cannot be cached.
    const full = new DataLoader(dataset, {
      ...options,
      workerImports: [new URL('../test-utils/full-disk.mjs', import.meta.url).href],
    });
    try {
      await full.next();
      const error = await full.next().then(
        () => new Error('loaded a batch without writing its cache entries'),
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DatasetError);
      expect(error).toMatchObject({ code: 'DATASET_CACHE_WRITE' });
      const message = (error as Error).message;
      expect(message).toContain(cacheDir);
      expect(message).toMatch(/ENOSPC.*earlier entries are intact/);
      expect(message).not.toContain('\n');
    } finally {
      await full.close();
    }
    expect(entries()).toEqual(before); // no temporary file left, no entry changed
  });
});
