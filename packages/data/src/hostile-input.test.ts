// Hostile dataset inputs: shard headers whose sizes would hang or exhaust memory, symlinks out
// of the dataset root, FIFOs and directories where files are expected. Each is refused with a
// typed error naming the file, quickly.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetError, PathEscapeError } from './errors.js';
import { indexTar } from './formats/tar-index.js';
import { manifestConfigSchema, readManifest } from './formats/manifest.js';
import { tempDir, writeText, writeWav } from './test-utils/fixtures.js';
import { paxRecord, tarHeader as header, writeTar as shard } from './test-utils/tar-builder.js';

const mconfig = (raw: object) => ({ name: 'manifest', ...manifestConfigSchema.parse(raw) });

const refusal = (run: () => unknown): DatasetError => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DatasetError);
    return error as DatasetError;
  }
  throw new Error('expected a DatasetError');
};

describe('tar headers with hostile sizes', () => {
  it('refuses a negative size instead of looping forever', () => {
    const file = shard(header('a.wav', '-1'), new Uint8Array(512));
    const error = refusal(() => indexTar(file));
    expect(error.code).toBe('DATASET_TAR_INVALID');
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/member "a\.wav" .* has size NaN/);
  });

  it('refuses pax sizes of 3 and 8 GiB before allocating, and pax size=abc', () => {
    for (const size of [String(3 * 2 ** 30), String(8 * 2 ** 30), 'abc', '-5', '1e3']) {
      const pax = new TextEncoder().encode(paxRecord('size', size));
      const file = shard(
        header('PaxHeader/a.wav', pax.length.toString(8), 'x'),
        pax,
        header('a.json', '0'),
        new TextEncoder().encode('{}'),
      );
      const error = refusal(() => indexTar(file, () => true));
      expect(error.message).toMatch(/member "a\.json"/);
      expect(error.message).toMatch(/runs past the end|not a non-negative whole number/);
    }
  });

  it('refuses a pax header larger than the limit and a size past the end of the file', () => {
    const file = shard(header('PaxHeader/x', (2 * 1024 * 1024).toString(8), 'x'));
    expect(refusal(() => indexTar(file)).message).toMatch(/runs past the end|over the/);
    const cut = shard(header('b.wav', (4096).toString(8)), new Uint8Array(512));
    expect(refusal(() => indexTar(cut)).message).toMatch(/member "b\.wav" .* runs past the end/);
  });

  it('still reads a well-formed GNU tar', () => {
    const dir = tempDir();
    writeWav(join(dir, 'src', 'a.wav'));
    writeText(join(dir, 'src', 'a.txt'), 'a hum');
    execFileSync('tar', ['--format=pax', '-cf', join(dir, 'x.tar'), '-C', join(dir, 'src'), '.']);
    const names = indexTar(join(dir, 'x.tar'))
      .map((m) => m.name)
      .sort();
    expect(names).toEqual(['./a.txt', './a.wav']);
  });
});

describe('dataset paths', () => {
  const manifest = (dir: string, rows: object[]) => {
    writeText(join(dir, 'train.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
    return mconfig({ path: 'train.jsonl' });
  };

  it('refuses a symlink that leaves the root, without reading it', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'clips'));
    writeText(join(dir, 'outside', 'secret.wav'), 'SECRET-BYTES');
    symlinkSync(join(dir, 'outside', 'secret.wav'), join(dir, 'clips', 'x.wav'));
    const root = join(dir, 'root');
    mkdirSync(root);
    symlinkSync(join(dir, 'clips'), join(root, 'clips'));
    const config = manifest(root, [{ path: 'clips/x.wav', caption: 'x' }]);
    const error = refusal(() => readManifest(config, root));
    expect(error).toBeInstanceOf(PathEscapeError);
    expect(error.message).toMatch(/resolves outside the dataset root .* \(symlinks followed\)/);
    expect(error.message).not.toContain('SECRET');
    // A symlink that stays inside the root is fine.
    writeWav(join(root, 'real.wav'));
    symlinkSync(join(root, 'real.wav'), join(root, 'alias.wav'));
    const ok = manifest(root, [{ path: 'alias.wav', caption: 'y' }]);
    expect(readManifest(ok, root).items).toHaveLength(1);
  });

  it('refuses a manifest path that is a directory or a FIFO with a typed error', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'train.jsonl'));
    const error = refusal(() => readManifest(mconfig({ path: 'train.jsonl' }), dir));
    expect(error.code).toBe('DATASET_NOT_A_FILE');
    expect(error.message).toMatch(/train\.jsonl is a directory/);
    execFileSync('mkfifo', [join(dir, 'pipe.jsonl')]);
    expect(refusal(() => readManifest(mconfig({ path: 'pipe.jsonl' }), dir)).message).toMatch(
      /pipe\.jsonl is not a regular file/,
    );
  });
});
