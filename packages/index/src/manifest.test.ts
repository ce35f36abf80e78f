import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClapError } from '@clapjs/core';
import { ClapModel } from '@clapjs/model';
import { buildLibrary } from './build.js';
import { Embedder } from './embed.js';
import { searchByVector } from './search.js';
import { LibraryIndex } from './store.js';
import { saveTinyModel, tempDir, useCpu, writeSynthLibrary } from './test-utils/fixtures.js';

describe('index build from a manifest', () => {
  const dir = tempDir();
  const root = join(dir, 'library');
  const manifest = join(dir, 'manifest.jsonl');
  let embedder: Embedder;
  let paths: string[];

  function writeManifest(oboeCaption: string): void {
    const rows = [
      { path: paths[0], caption: oboeCaption, label: 'oboe', split: 'train' },
      { path: paths[1], captions: ['rain on a tin roof', 'rain'] },
      { path: paths[2], caption: 'a door slams' },
    ];
    writeFileSync(manifest, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }

  beforeAll(async () => {
    await useCpu();
    const modelDir = await saveTinyModel(join(dir, 'model'));
    embedder = await Embedder.create(await ClapModel.load(modelDir), modelDir);
    paths = await writeSynthLibrary(root, 5);
  });
  afterAll(() => {
    embedder.model.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('indexes only the listed files, with captions and metadata the full-text index finds', async () => {
    writeManifest('an oboe plays a long note');
    const index = await LibraryIndex.open(join(dir, 'db'));
    const first = await buildLibrary(index, embedder, { root, manifest });
    expect(first.files).toBe(3);
    expect(first.rowsAdded).toBe(3);
    expect(await index.countRows()).toBe(3);

    const query = await embedder.embedText('rain');
    const hits = await searchByVector(index, query, { k: 3, hybridText: 'oboe' });
    expect(hits[0]?.path).toBe(paths[0]);
    expect(hits[0]?.caption).toBe('an oboe plays a long note');
    expect(hits[0]?.metadata).toEqual({
      captions: ['an oboe plays a long note'],
      label: 'oboe',
      split: 'train',
    });
    const rain = await searchByVector(index, query, { k: 3, where: "caption LIKE '%tin roof%'" });
    expect(rain.map((h) => h.caption)).toEqual(['rain on a tin roof | rain']);

    const again = await buildLibrary(index, embedder, { root, manifest });
    expect(again.rowsAdded).toBe(0);
    // A changed caption is a changed row: written again, the old one gone.
    writeManifest('an oboe and a bassoon');
    const changed = await buildLibrary(index, embedder, { root, manifest });
    expect(changed.rowsAdded).toBe(1);
    expect(await index.countRows()).toBe(3);
    const [oboe] = await searchByVector(index, query, { k: 1, hybridText: 'bassoon' });
    expect(oboe?.caption).toBe('an oboe and a bassoon');
  });

  it('refuses a manifest row outside the root with a typed error', async () => {
    writeFileSync(manifest, `${JSON.stringify({ path: '../escape.wav', caption: 'x' })}\n`);
    const index = await LibraryIndex.open(join(dir, 'db-2'));
    const error = await buildLibrary(index, embedder, { root, manifest }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClapError);
    expect((error as Error).message).toContain('escape.wav');
  });
});
