import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetError, PathEscapeError } from '../errors.js';
import { tempDir, writeText, writeWav } from '../test-utils/fixtures.js';
import { manifestConfigSchema, manifestDataset } from './manifest.js';

function open(root: string, config: Record<string, unknown>) {
  return manifestDataset.create(
    { name: 'manifest', ...manifestConfigSchema.parse(config) },
    { root },
  );
}

describe('manifest dataset', () => {
  it('reads JSONL with captions, labels and splits', async () => {
    const root = tempDir();
    writeWav(join(root, 'clips/a.wav'));
    writeWav(join(root, 'clips/b.wav'));
    writeText(
      join(root, 'data.jsonl'),
      '{"path": "clips/a.wav", "captions": ["a dog barks", "barking"], "label": "dog", "split": "train"}\n\n' +
        '{"path": "clips/b.wav", "caption": "rain falls", "split": "test", "id": "rain-1"}\n',
    );
    const ds = open(root, { path: 'data.jsonl' });
    expect(ds.size).toBe(2);
    const a = await ds.get(0);
    expect(a).toMatchObject({
      id: 'clips/a.wav',
      captions: ['a dog barks', 'barking'],
      label: 'dog',
      split: 'train',
    });
    expect(a.audio).toEqual({ kind: 'file', path: join(root, 'clips/a.wav') });
    expect((await ds.get(1)).id).toBe('rain-1');
    expect((ds as unknown as { indicesFor(s: string): number[] }).indicesFor('test')).toEqual([1]);
    await expect(ds.get(2)).rejects.toThrow(/out of range/);
  });

  it('reads CSV with quoted fields and several caption columns', async () => {
    const root = tempDir();
    writeWav(join(root, 'a.wav'));
    writeWav(join(root, 'b.wav'));
    writeText(
      join(root, 'm.csv'),
      'path,captions,caption_1,label\r\na.wav,"a dog, barking|woof",,dog\r\nb.wav,,"he said ""hi""",speech\r\n',
    );
    const ds = open(root, { path: 'm.csv' });
    expect((await ds.get(0)).captions).toEqual(['a dog, barking', 'woof']);
    expect((await ds.get(1)).captions).toEqual(['he said "hi"']);
  });

  it('refuses paths that escape the root unless allowed', () => {
    const root = tempDir();
    const outside = tempDir();
    writeWav(join(outside, 'x.wav'));
    writeText(
      join(root, 'm.jsonl'),
      `{"path": "../${outside.split('/').pop()}/x.wav", "caption": "x"}\n`,
    );
    expect(() => open(root, { path: 'm.jsonl' })).toThrow(PathEscapeError);
    writeText(join(root, 'abs.jsonl'), `{"path": "${join(outside, 'x.wav')}", "caption": "x"}\n`);
    expect(() => open(root, { path: 'abs.jsonl' })).toThrow(/outside the dataset root/);
    expect(open(root, { path: 'm.jsonl', allowOutsideRoot: true }).size).toBe(1);
  });

  it('names the file and line of missing audio, bad rows and empty manifests', () => {
    const root = tempDir();
    writeWav(join(root, 'a.wav'));
    writeText(
      join(root, 'missing.jsonl'),
      '{"path": "a.wav", "caption": "x"}\n{"path": "gone.wav", "caption": "y"}\n',
    );
    const error = (() => {
      try {
        open(root, { path: 'missing.jsonl' });
      } catch (e) {
        return e as DatasetError;
      }
    })();
    expect(error).toBeInstanceOf(DatasetError);
    expect(error?.code).toBe('DATASET_FILE_MISSING');
    expect(error?.line).toBe(2);
    expect(error?.message).toMatch(/missing\.jsonl:2.*gone\.wav/);
    const skipped = open(root, { path: 'missing.jsonl', onMissing: 'skip' }) as unknown as {
      size: number;
      missing: number;
    };
    expect([skipped.size, skipped.missing]).toEqual([1, 1]);

    writeText(
      join(root, 'bad.jsonl'),
      '{"path": "a.wav", "caption": "x"}\n{"path": "a.wav", caption: y}\n',
    );
    expect(() => open(root, { path: 'bad.jsonl' })).toThrow(/bad\.jsonl:2: not valid JSON/);
    writeText(join(root, 'nocap.jsonl'), '{"path": "a.wav"}\n');
    expect(() => open(root, { path: 'nocap.jsonl' })).toThrow(/nocap\.jsonl:1: missing "caption"/);
    writeText(join(root, 'bad.csv'), 'path,caption\na.wav,x,extra\n');
    expect(() => open(root, { path: 'bad.csv' })).toThrow(/bad\.csv:2: expected 2 fields/);
    writeText(join(root, 'bad-split.csv'), 'path,caption,split\na.wav,x,holdout\n');
    expect(() => open(root, { path: 'bad-split.csv' })).toThrow(/split "holdout"/);
    writeText(join(root, 'empty.jsonl'), '\n');
    expect(() => open(root, { path: 'empty.jsonl' })).toThrow(
      expect.objectContaining({ code: 'DATASET_EMPTY' }),
    );
    expect(() => open(root, { path: 'nope.jsonl' })).toThrow(
      expect.objectContaining({ code: 'DATASET_FILE_MISSING' }),
    );
  });

  it('assigns rows without a split by a stable hash of their id', async () => {
    const root = tempDir();
    const rows = Array.from({ length: 200 }, (_, i) => {
      writeWav(join(root, `c${i}.wav`), 440, 0.01);
      return JSON.stringify({ path: `c${i}.wav`, caption: `clip ${i}` });
    });
    writeText(join(root, 'm.jsonl'), rows.join('\n'));
    const ds = open(root, { path: 'm.jsonl', valFraction: 0.2, testFraction: 0.2 }) as unknown as {
      indicesFor(s: string): number[];
    };
    const counts = ['train', 'val', 'test'].map((s) => ds.indicesFor(s).length);
    expect(counts.reduce((a, b) => a + b)).toBe(200);
    expect(Math.min(...counts)).toBeGreaterThan(20);
    const again = open(root, {
      path: 'm.jsonl',
      valFraction: 0.2,
      testFraction: 0.2,
    }) as unknown as { indicesFor(s: string): number[] };
    expect(again.indicesFor('val')).toEqual(ds.indicesFor('val'));
  });
});
