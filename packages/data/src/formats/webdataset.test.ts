import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetItem } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { SynthDataset, synthConfigSchema } from '../synth/dataset.js';
import { tempDir, writeText, writeWav } from '../test-utils/fixtures.js';
import { datasetItems, writeWebDataset } from './webdataset-write.js';
import { WebDataset, webdatasetConfigSchema } from './webdataset.js';

const open = (root: string, config: Record<string, unknown> = {}) =>
  new WebDataset({ name: 'webdataset', ...webdatasetConfigSchema.parse(config) }, root);

describe('WebDataset shards', () => {
  it('round-trips items through writeWebDataset', async () => {
    const synth = new SynthDataset({
      name: 'synth',
      ...synthConfigSchema.parse({ size: 7, clipSeconds: 0.25 }),
    });
    const dir = tempDir();
    const written = await writeWebDataset(datasetItems(synth), join(dir, 'shards'), {
      shardSize: 3,
      wavFormat: 'float32',
    });
    expect(written.count).toBe(7);
    expect(written.shards.map((s) => s.split('/').pop())).toEqual([
      'shard-000000.tar',
      'shard-000001.tar',
      'shard-000002.tar',
    ]);
    const ds = open(dir, { path: 'shards' });
    expect(ds.size).toBe(7);
    for (let i = 0; i < 7; i++) {
      const [original, read] = [await synth.get(i), await ds.get(i)];
      expect(read).toMatchObject({
        id: original.id,
        captions: original.captions,
        label: original.label,
        split: original.split,
      });
      expect(read.audio).toEqual(original.audio);
    }
    expect(
      ds.indicesFor('train').length + ds.indicesFor('val').length + ds.indicesFor('test').length,
    ).toBe(7);
  });

  it('reads shards made by GNU tar (long names, pax headers) with .txt captions', async () => {
    const dir = tempDir();
    const long = `${'deep-folder-name-'.repeat(5)}/clip-with-a-rather-long-key-name-${'x'.repeat(60)}`;
    writeWav(join(dir, 'src', `${long}.wav`), 330);
    writeText(
      join(dir, 'src', `${long}.json`),
      JSON.stringify({ caption: 'a low hum', label: 'hum' }),
    );
    writeWav(join(dir, 'src', 'c.wav'), 550);
    writeText(join(dir, 'src', 'c.txt'), 'a higher hum');
    mkdirSync(join(dir, 'out'));
    execFileSync('tar', [
      '--format=gnu',
      '-cf',
      join(dir, 'out', 'a.tar'),
      '-C',
      join(dir, 'src'),
      `${long}.wav`,
      `${long}.json`,
    ]);
    execFileSync('tar', [
      '--format=pax',
      '-cf',
      join(dir, 'out', 'b.tar'),
      '-C',
      join(dir, 'src'),
      'c.wav',
      'c.txt',
    ]);
    const ds = open(dir, { path: 'out', split: 'val' });
    expect(ds.size).toBe(2);
    const first = await ds.get(0);
    expect(first).toMatchObject({ captions: ['a low hum'], label: 'hum', split: 'val' });
    expect(first.audio.kind === 'samples' && first.audio.samples.length).toBe(1600);
    expect((await ds.get(1)).captions).toEqual(['a higher hum']);
  });

  it('refuses corrupt shards, samples without audio or captions, and empty sets', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.tar'), new Uint8Array(2048).fill(7));
    expect(() => open(dir, { shards: ['bad.tar'] })).toThrow(
      /bad\.tar: the tar header at byte 0 is corrupt/,
    );
    const item = (id: string, captions: string[]): DatasetItem => ({
      id,
      audio: { kind: 'samples', samples: new Float32Array(160), sampleRate: 16000 },
      captions,
    });
    await writeWebDataset([item('a', [])], join(dir, 'nocap'));
    expect(() => open(dir, { path: 'nocap' })).toThrow(/sample "000000" has no caption/);
    writeText(join(dir, 'empty', 'readme.md'), 'no shards here');
    expect(() => open(dir, { path: 'empty' })).toThrow(
      expect.objectContaining({ code: 'DATASET_EMPTY' }),
    );
    await expect(writeWebDataset([], join(dir, 'none'))).rejects.toThrow(/no items/);
  });
});
