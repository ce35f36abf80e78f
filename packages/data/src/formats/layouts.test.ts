import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, writeText, writeWav } from '../test-utils/fixtures.js';
import { audiocapsConfigSchema, audiocapsDataset } from './audiocaps.js';
import { clothoConfigSchema, clothoDataset } from './clotho.js';
import { esc50ConfigSchema, esc50Dataset } from './esc50.js';

describe('ESC-50 layout', () => {
  it('maps folds to splits and categories to captions and labels', async () => {
    const root = tempDir();
    const rows = ['filename,fold,target,category,esc10,src_file,take'];
    for (let fold = 1; fold <= 5; fold++) {
      const name = `${fold}-100-A-0.wav`;
      writeWav(join(root, 'audio', name));
      rows.push(`${name},${fold},14,chirping_birds,False,100,A`);
    }
    writeText(join(root, 'meta/esc50.csv'), rows.join('\n'));
    const ds = esc50Dataset.create(
      { name: 'esc50', ...esc50ConfigSchema.parse({ valFolds: [1], testFolds: [4, 5] }) },
      { root },
    );
    expect(ds.size).toBe(5);
    const first = await ds.get(0);
    expect(first).toMatchObject({ id: '1-100-A-0.wav', label: 'chirping birds', split: 'val' });
    expect(first.captions[0]).toBe('this is a sound of chirping birds.');
    expect((ds as unknown as { indicesFor(s: string): number[] }).indicesFor('test')).toEqual([
      3, 4,
    ]);
    expect(() =>
      esc50Dataset.create(
        { name: 'esc50', ...esc50ConfigSchema.parse({ valFolds: [5] }) },
        { root },
      ),
    ).toThrow(/fold 5/);
    expect(() =>
      esc50Dataset.create({ name: 'esc50', ...esc50ConfigSchema.parse({}) }, { root: tempDir() }),
    ).toThrow(/meta\/esc50\.csv does not exist/);
  });
});

describe('Clotho layout', () => {
  it('reads five captions per file from each split CSV', async () => {
    const root = tempDir();
    writeWav(join(root, 'development/birds.wav'));
    writeWav(join(root, 'evaluation/rain on roof.wav'));
    const header = 'file_name,caption_1,caption_2,caption_3,caption_4,caption_5';
    writeText(
      join(root, 'clotho_captions_development.csv'),
      `${header}\nbirds.wav,birds sing,a bird chirps,chirping,"birds, many",morning birds\n`,
    );
    writeText(
      join(root, 'clotho_captions_evaluation.csv'),
      `${header}\nrain on roof.wav,rain,rain falls,heavy rain,drops,a storm\n`,
    );
    const ds = clothoDataset.create({ name: 'clotho', ...clothoConfigSchema.parse({}) }, { root });
    expect(ds.size).toBe(2);
    expect(await ds.get(0)).toMatchObject({
      split: 'train',
      captions: ['birds sing', 'a bird chirps', 'chirping', 'birds, many', 'morning birds'],
    });
    expect((await ds.get(1)).split).toBe('test');
    expect(() =>
      clothoDataset.create(
        { name: 'clotho', ...clothoConfigSchema.parse({}) },
        { root: tempDir() },
      ),
    ).toThrow(/No Clotho captions CSV/);
  });
});

describe('AudioCaps layout', () => {
  it('groups the captions of one clip and skips missing audio when asked', async () => {
    const root = tempDir();
    writeWav(join(root, 'audio/test/abc.wav'));
    writeWav(join(root, 'audio/train/xyz.wav'));
    writeText(
      join(root, 'train.csv'),
      'audiocap_id,youtube_id,start_time,caption\n1,xyz,30,a car passes\n2,gone,0,a dog\n',
    );
    writeText(
      join(root, 'test.csv'),
      'audiocap_id,youtube_id,start_time,caption\n5,abc,10,people talk\n6,abc,10,a crowd murmurs\n',
    );
    expect(() =>
      audiocapsDataset.create({ name: 'audiocaps', ...audiocapsConfigSchema.parse({}) }, { root }),
    ).toThrow(/train\.csv:3.*gone\.wav/);
    const ds = audiocapsDataset.create(
      { name: 'audiocaps', ...audiocapsConfigSchema.parse({ onMissing: 'skip' }) },
      { root },
    );
    expect([ds.size, (ds as unknown as { missing: number }).missing]).toEqual([2, 1]);
    expect(await ds.get(1)).toMatchObject({
      split: 'test',
      captions: ['people talk', 'a crowd murmurs'],
    });
  });
});
