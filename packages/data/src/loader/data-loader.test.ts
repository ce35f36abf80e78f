import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getPreset, LogMelExtractor } from '@clapjs/audio';
import { describe, expect, it } from 'vitest';
import { CorruptAudioError, DatasetError } from '../errors.js';
import { manifestConfigSchema, manifestDataset } from '../formats/manifest.js';
import { SynthDataset, synthConfigSchema } from '../synth/dataset.js';
import { tempDir, writeText, writeWav } from '../test-utils/fixtures.js';
import { DataLoader } from './data-loader.js';
import type { Batch } from './data-loader.js';

// A short clip keeps the tests fast: 0.5 s at 16 kHz, 64 mels, hop 256 → 32 frames.
const frontEnd = new LogMelExtractor({ ...getPreset('fast'), clipSeconds: 0.5 });
const synth = (size = 40) =>
  new SynthDataset({ name: 'synth', ...synthConfigSchema.parse({ size, clipSeconds: 0.5 }) });

async function take(loader: DataLoader, n: number): Promise<Batch[]> {
  const out: Batch[] = [];
  for (let i = 0; i < n; i++) out.push(await loader.next());
  return out;
}

const summary = (batches: Batch[]) =>
  batches.map((b) => ({
    ids: b.ids,
    captions: b.captions,
    sum: b.logMel.reduce((a, v) => a + v, 0),
  }));

function manifestWithCorrupt(): ReturnType<typeof manifestDataset.create> {
  const root = tempDir();
  const rows = [];
  for (let i = 0; i < 6; i++) {
    if (i === 2) writeFileSync(join(root, `c${i}.wav`), 'RIFF....not really a wav');
    else writeWav(join(root, `c${i}.wav`), 300 + 50 * i, 0.3, 22050);
    rows.push(JSON.stringify({ path: `c${i}.wav`, captions: [`clip ${i}`, `sound ${i}`] }));
  }
  writeText(join(root, 'm.jsonl'), rows.join('\n'));
  return manifestDataset.create(
    { name: 'manifest', ...manifestConfigSchema.parse({ path: 'm.jsonl' }) },
    { root },
  );
}

describe('DataLoader', () => {
  it('prefetch 0 reads nothing ahead of the consumer; prefetch 2 reads two batches ahead', async () => {
    const reads = async (prefetch: number): Promise<number> => {
      const ds = synth(40);
      let count = 0;
      const get = ds.get.bind(ds);
      ds.get = (index: number) => {
        count += 1;
        return get(index);
      };
      const loader = new DataLoader(ds, { batchSize: 4, seed: 1, frontEnd, prefetch });
      await loader.next();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await loader.close();
      return count;
    };
    expect(await reads(0)).toBe(4);
    expect(await reads(2)).toBe(12);
  });

  it('makes full, shuffled, deterministic batches of the right shape', async () => {
    const ds = synth();
    const a = new DataLoader(ds, { batchSize: 8, seed: 3, frontEnd });
    const b = new DataLoader(ds, { batchSize: 8, seed: 3, frontEnd, prefetch: 0 });
    const c = new DataLoader(ds, { batchSize: 8, seed: 4, frontEnd });
    const [ba, bb, bc] = [await take(a, 7), await take(b, 7), await take(c, 7)];
    expect(summary(ba)).toEqual(summary(bb));
    expect(summary(bc)).not.toEqual(summary(ba));
    const first = ba[0] as Batch;
    expect([first.frames, first.melBins, first.logMel.length]).toEqual([32, 64, 8 * 32 * 64]);
    // 40 clips → 5 batches per epoch; batch 6 starts epoch 1 with a new order and new caption draws.
    expect(await a.batchesPerEpoch()).toBe(5);
    expect(new Set(ba.slice(0, 5).flatMap((x) => x.ids)).size).toBe(40);
    expect(a.getState()).toMatchObject({ epoch: 1, position: 16 });
    expect(ba[5]?.ids).not.toEqual(ba[0]?.ids);
    const captionsById = new Map<string, Set<string>>();
    for (let epoch = 0; epoch < 6; epoch++)
      for (const x of await take(a, 5))
        x.ids.forEach((id, k) =>
          captionsById.set(id, (captionsById.get(id) ?? new Set()).add(x.captions[k] as string)),
        );
    expect([...captionsById.values()].some((s) => s.size > 1)).toBe(true);
  });

  it('iterates one epoch per for-await and drops the incomplete last batch', async () => {
    const loader = new DataLoader(synth(21), { batchSize: 5, seed: 1, frontEnd });
    let count = 0;
    for await (const batch of loader) count += batch.ids.length;
    expect(count).toBe(20);
    expect(loader.getState()).toMatchObject({ epoch: 1, position: 0 });
    const evalIds = [];
    for await (const batch of loader.evalBatches(undefined, 8)) evalIds.push(...batch.ids);
    expect(evalIds).toEqual(Array.from({ length: 21 }, (_, i) => `synth-0-${i}`));
  });

  it('resumes from a saved state with the same batches', async () => {
    const ds = synth();
    const straight = new DataLoader(ds, {
      batchSize: 6,
      seed: 9,
      frontEnd,
      augment: { timeMasks: 1, freqMasks: 1 },
    });
    const all = await take(straight, 9);
    const first = new DataLoader(ds, {
      batchSize: 6,
      seed: 9,
      frontEnd,
      augment: { timeMasks: 1, freqMasks: 1 },
    });
    await take(first, 4);
    const state = JSON.parse(JSON.stringify(first.getState()));
    const resumed = new DataLoader(ds, {
      batchSize: 6,
      seed: 123,
      frontEnd,
      augment: { timeMasks: 1, freqMasks: 1 },
    });
    await take(resumed, 2); // a state restore discards whatever was prefetched
    resumed.setState(state);
    expect(summary(await take(resumed, 5))).toEqual(summary(all.slice(4)));
    expect(() => resumed.setState({ ...state, epoch: -1 })).toThrow(
      /"epoch" must be a non-negative integer/,
    );
  });

  it('reads log-mels from the cache from the second epoch on', async () => {
    const cacheDir = tempDir();
    const loader = new DataLoader(synth(12), { batchSize: 4, seed: 2, frontEnd, cacheDir });
    await take(loader, 3);
    expect(loader.stats).toEqual({ computed: 12, cacheHits: 0 });
    const epoch1 = await take(loader, 3);
    expect(loader.stats).toEqual({ computed: 12, cacheHits: 12 });
    const fresh = new DataLoader(synth(12), { batchSize: 4, seed: 2, frontEnd });
    await take(fresh, 3);
    expect(summary(epoch1)).toEqual(summary(await take(fresh, 3)));
  });

  it('keys cached files by their bytes, resampling and padding on the way', async () => {
    const ds = manifestWithCorrupt();
    const cacheDir = tempDir();
    const first = new DataLoader(ds, { batchSize: 5, seed: 0, frontEnd, cacheDir });
    const a = await first.evalBatches().next();
    expect(first.stats).toEqual({ computed: 4, cacheHits: 0 }); // c2 is corrupt
    // 0.3 s at 22.05 kHz, resampled to 16 kHz and repeat-padded to 0.5 s: 32 frames.
    expect(a.value?.frames).toBe(32);
    const second = new DataLoader(ds, { batchSize: 5, seed: 0, frontEnd, cacheDir });
    const b = await second.evalBatches().next();
    expect(second.stats).toEqual({ computed: 0, cacheHits: 4 });
    expect(b.value?.logMel).toEqual(a.value?.logMel);
    const item = await ds.get(0);
    if (item.audio.kind === 'file') writeWav(item.audio.path, 1234, 0.3, 22050);
    const third = new DataLoader(ds, { batchSize: 5, seed: 0, frontEnd, cacheDir });
    await third.evalBatches().next();
    expect(third.stats).toEqual({ computed: 1, cacheHits: 3 });
  });

  it('skips and counts corrupt audio, or fails on it with onCorrupt: fail', async () => {
    const ds = manifestWithCorrupt();
    const loader = new DataLoader(ds, { batchSize: 2, seed: 0, frontEnd, prefetch: 1 });
    const ids = [];
    for await (const batch of loader) {
      expect(batch.ids).toHaveLength(2);
      ids.push(...batch.ids);
    }
    expect(loader.skipped).toBe(1);
    expect(loader.skippedIds).toEqual(['c2.wav']);
    expect(ids.sort()).toEqual(['c0.wav', 'c1.wav', 'c3.wav', 'c4.wav']);
    const evalIds = [];
    for await (const batch of loader.evalBatches()) evalIds.push(...batch.ids);
    expect(evalIds).toEqual(['c0.wav', 'c1.wav', 'c3.wav', 'c4.wav', 'c5.wav']);
    const strict = new DataLoader(ds, { batchSize: 2, seed: 0, frontEnd, onCorrupt: 'fail' });
    const error = await take(strict, 3).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptAudioError);
    expect((error as CorruptAudioError).message).toMatch(/c2\.wav.*onCorrupt: 'skip'/);
  });

  it('refuses an empty split and a bad batch size', async () => {
    const ds = synth(10);
    const none = new SynthDataset({
      name: 'synth',
      ...synthConfigSchema.parse({ size: 10, valFraction: 0, clipSeconds: 0.5 }),
    });
    await expect(
      new DataLoader(none, { batchSize: 2, seed: 0, frontEnd, split: 'val' }).next(),
    ).rejects.toThrow(expect.objectContaining({ code: 'DATASET_EMPTY' }));
    expect(() => new DataLoader(ds, { batchSize: 0, seed: 0, frontEnd })).toThrow(DatasetError);
  });
});
