import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  datasetItems,
  readShardSamples,
  SynthDataset,
  synthConfigSchema,
  writeWebDataset,
} from '@clapjs/data';
import { readShardAudio } from '@clapjs/data';
import { ClapModel } from '@clapjs/model';
import { buildLibrary } from './build.js';
import { Embedder } from './embed.js';
import { searchByVector } from './search.js';
import { shardOfPath } from './shards.js';
import { LibraryIndex } from './store.js';
import { saveTinyModel, tempDir, useCpu, writeSynthLibrary } from './test-utils/fixtures.js';

describe('WebDataset shards in a library', () => {
  const dir = tempDir();
  const root = join(dir, 'library');
  let embedder: Embedder;
  let shards: string[];

  beforeAll(async () => {
    await useCpu();
    const modelDir = await saveTinyModel(join(dir, 'model'));
    embedder = await Embedder.create(await ClapModel.load(modelDir), modelDir);
    await writeSynthLibrary(root, 3);
    const synth = new SynthDataset({
      ...synthConfigSchema.parse({ size: 12, seed: 4, clipSeconds: 0.5 }),
      name: 'synth',
    });
    ({ shards } = await writeWebDataset(datasetItems(synth), join(root, 'shards'), {
      shardSize: 5,
    }));
    mkdirSync(join(root, 'broken'));
    writeFileSync(join(root, 'broken', 'bad.tar'), 'not a tar archive '.repeat(64));
  });
  afterAll(() => {
    embedder.model.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('indexes every sample of every shard with its captions, reports a damaged shard, and a re-run adds nothing', async () => {
    expect(shards).toHaveLength(3);
    const index = await LibraryIndex.open(join(dir, 'db'));
    const first = await buildLibrary(index, embedder, { root, batchFiles: 4 });
    expect(first.files).toBe(3 + 12 + 1);
    expect(first.rowsAdded).toBe(15);
    expect(first.failures).toEqual([
      expect.objectContaining({ path: 'broken/bad.tar', code: 'DATASET_TAR_INVALID' }),
    ]);
    const again = await buildLibrary(index, embedder, { root, batchFiles: 4 });
    expect(again.rowsAdded).toBe(0);
    expect(again.unchanged).toBe(15);

    // A sample's row: path inside its shard, its captions, and the vector of its own bytes.
    const [sample] = readShardSamples(shards[1] as string);
    if (sample === undefined) throw new Error('empty shard');
    const path = `shards/shard-000001.tar/${sample.audioName}`;
    const loose = join(dir, 'loose.wav');
    writeFileSync(loose, await readShardAudio(shards[1] as string, sample));
    const [embedded] = await embedder.embedFiles([{ path: 'loose.wav', absolute: loose }]);
    if (embedded === undefined || !('windows' in embedded)) throw new Error('not embedded');
    const vector = embedded.windows[0]?.vector as Float32Array;
    const [hit] = await searchByVector(index, vector, { k: 1, exact: true });
    expect(hit?.path).toBe(path);
    expect(hit?.score).toBeCloseTo(1, 5);
    expect(hit?.caption).toBe(sample.captions.join(' | '));
    expect(hit?.metadata).toMatchObject({ shard: 'shards/shard-000001.tar', key: sample.key });
    expect(shardOfPath(path)).toBe('shards/shard-000001.tar');
    expect(shardOfPath('shards/clip.wav')).toBeUndefined();
  });

  it('prunes the samples of a deleted shard and keeps the others', async () => {
    const index = await LibraryIndex.open(join(dir, 'db-prune'));
    await buildLibrary(index, embedder, { root, indexes: false });
    rmSync(shards[2] as string);
    const summary = await buildLibrary(index, embedder, { root, prune: true, indexes: false });
    expect(summary.pruned).toBe(2);
    expect(await (await index.table()).countRows()).toBe(13);
  });
});
