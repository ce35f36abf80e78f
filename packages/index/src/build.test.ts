import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { decodeAudio, encodeWav } from '@clapjs/audio';
import { ClapModel } from '@clapjs/model';
import { buildLibrary } from './build.js';
import { Embedder } from './embed.js';
import { ModelMismatchError } from './errors.js';
import { searchByVector } from './search.js';
import { LibraryIndex } from './store.js';
import { saveTinyModel, tempDir, useCpu, writeSynthLibrary } from './test-utils/fixtures.js';

describe('buildLibrary', () => {
  const dir = tempDir();
  const root = join(dir, 'library');
  const db = join(dir, 'db');
  let embedder: Embedder;

  beforeAll(async () => {
    await useCpu();
    const modelDir = await saveTinyModel(join(dir, 'model'));
    embedder = await Embedder.create(await ClapModel.load(modelDir), modelDir);
    await writeSynthLibrary(root, 40);
    writeFileSync(join(root, 'part-00', 'broken.wav'), 'RIFF this is not audio');
  });
  afterAll(() => {
    embedder.model.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('indexes every file once, reports the corrupt one, and a re-run adds nothing', async () => {
    const index = await LibraryIndex.open(db);
    const first = await buildLibrary(index, embedder, { root, batchFiles: 8 });
    expect(first.files).toBe(41);
    expect(first.rowsAdded).toBe(40);
    expect(first.failures).toHaveLength(1);
    expect(first.failures[0]?.path).toBe('part-00/broken.wav');
    expect(first.failures[0]?.code).toBe('AUDIO_DECODE');
    expect(first.indexes?.ann.built).toBe(false);
    expect(first.indexes?.fullText).toEqual({ built: true });
    expect(await index.countRows()).toBe(40);

    const tensors = tf.memory().numTensors;
    const again = await buildLibrary(index, embedder, { root, batchFiles: 8 });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(again.rowsAdded).toBe(0);
    expect(again.embedded).toBe(0);
    expect(again.unchanged).toBe(40);
    expect(await index.countRows()).toBe(40);
  });

  it('re-embeds a changed file and prunes a deleted one', async () => {
    const index = await LibraryIndex.open(db);
    utimesSync(join(root, 'part-00', 'clip-0001.wav'), new Date(), new Date(Date.now() + 5000));
    rmSync(join(root, 'part-00', 'clip-0002.wav'));
    const tensors = tf.memory().numTensors;
    const summary = await buildLibrary(index, embedder, { root, prune: true });
    expect(tf.memory().numTensors).toBe(tensors); // the re-embedded file's tensors were freed
    expect(summary.embedded).toBe(1);
    expect(summary.pruned).toBe(1);
    expect(await index.countRows()).toBe(39);
    expect(await index.countRows("path = 'part-00/clip-0001.wav'")).toBe(1);
  });

  it('finds a clip by its own audio, one hit per file, and refuses another model', async () => {
    const index = await LibraryIndex.open(db);
    const path = 'part-00/clip-0007.wav';
    const vector = await embedder.embedExample(join(root, path));
    const hits = await searchByVector(index, vector, { k: 5 });
    expect(hits[0]?.path).toBe(path);
    expect(hits[0]?.score).toBeCloseTo(1, 5);
    expect(new Set(hits.map((h) => h.id)).size).toBe(5);

    const otherDir = await saveTinyModel(join(dir, 'other'), 2);
    const other = await Embedder.create(await ClapModel.load(otherDir), otherDir);
    try {
      await expect(index.checkModel(other.identity)).rejects.toThrow(ModelMismatchError);
      await expect(buildLibrary(index, other, { root })).rejects.toThrow(/built with model from/);
    } finally {
      other.model.dispose();
    }
  });
});

describe('deterministic embeddings', () => {
  it('gives one file the bit-identical vector in two separate builds', async () => {
    await useCpu();
    const dir = tempDir();
    try {
      const modelDir = await saveTinyModel(join(dir, 'model'));
      const root = join(dir, 'library');
      await writeSynthLibrary(root, 12, 5);
      const vectorsOf = async (db: string) => {
        const embedder = await Embedder.create(await ClapModel.load(modelDir), modelDir);
        try {
          const index = await LibraryIndex.open(join(dir, db));
          await buildLibrary(index, embedder, { root, batchFiles: 5, indexes: false });
          const rows = (await (
            await index.table()
          )
            .query()
            .select(['path', 'vector'])
            .toArray()) as { path: string; vector: { toArray(): Float32Array } }[];
          return new Map(rows.map((r) => [r.path, Float32Array.from(r.vector.toArray())]));
        } finally {
          embedder.model.dispose();
        }
      };
      const first = await vectorsOf('a');
      const second = await vectorsOf('b');
      expect(first.size).toBe(12);
      for (const [path, vector] of first) {
        const other = second.get(path) as Float32Array;
        expect(Buffer.compare(Buffer.from(vector.buffer), Buffer.from(other.buffer))).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('long files', () => {
  it('stores one row per window and returns the file once, with its best window', async () => {
    await useCpu();
    const dir = tempDir();
    try {
      const modelDir = await saveTinyModel(join(dir, 'model'));
      const parts = join(dir, 'parts');
      const names = await writeSynthLibrary(parts, 12, 3);
      const root = join(dir, 'library');
      await writeSynthLibrary(root, 6, 4);
      // A 1.5 s file made of three 0.5 s clips: windows [0, 0.5), [0.5, 1), [1, 1.5).
      const clips = await Promise.all(
        names.slice(0, 3).map(async (n) => (await decodeAudio(join(parts, n))).samples),
      );
      const long = new Float32Array(clips.reduce((n, c) => n + c.length, 0));
      clips.reduce((at, c) => (long.set(c, at), at + c.length), 0);
      writeFileSync(join(root, 'long.wav'), encodeWav(long, 16000));
      const embedder = await Embedder.create(await ClapModel.load(modelDir), modelDir);
      try {
        const index = await LibraryIndex.open(join(dir, 'db'));
        const summary = await buildLibrary(index, embedder, { root });
        expect(summary.rowsAdded).toBe(6 + 3);
        expect(await index.countRows("path = 'long.wav'")).toBe(3);
        const query = await embedder.embedExample(join(parts, names[1] as string));
        const hits = await searchByVector(index, query, { k: 7 });
        expect(hits).toHaveLength(7);
        expect(hits.filter((h) => h.path === 'long.wav')).toHaveLength(1);
        expect(hits[0]).toMatchObject({
          path: 'long.wav',
          windowStart: 0.5,
          windowEnd: 1,
          duration: 1.5,
        });
        // The same file cut after its first window: its stream fails partway (typed, reported)
        // and no row of it is written, while the other files' rows stay as they were.
        const whole = encodeWav(long, 16000);
        writeFileSync(join(root, 'long.wav'), whole.subarray(0, 44 + 2 * 12000));
        const again = await buildLibrary(index, embedder, { root });
        expect(again.failures.map((f) => [f.path, f.code])).toEqual([['long.wav', 'AUDIO_DECODE']]);
        expect(await index.countRows("path = 'long.wav'")).toBe(0);
        expect(await index.countRows()).toBe(6);
      } finally {
        embedder.model.dispose();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
