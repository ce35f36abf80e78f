import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFileSource } from './byte-source.js';
import { CheckpointError } from './errors.js';
import { openCheckpoint } from './open.js';
import { EXPECTED, FIXTURES, expectTensor } from './test-utils/fixtures.js';
import { openTorchZip } from './torch-zip.js';

async function expectFile(file: string, root = '', strip = '') {
  const reader = await openCheckpoint(`${FIXTURES}${file}`, { root, stripPrefix: strip });
  try {
    const tensors = EXPECTED.files[file]!.tensors;
    const wanted = Object.keys(tensors)
      .filter((name) => root === '' || name.startsWith(`${root}.`))
      .map((name) => {
        const relative = root === '' ? name : name.slice(root.length + 1);
        return [
          strip !== '' && relative.startsWith(strip) ? relative.slice(strip.length) : relative,
          name,
        ];
      });
    expect(reader.names()).toEqual(wanted.map(([name]) => name));
    for (const [name, original] of wanted) await expectTensor(reader, name!, tensors[original!]!);
  } finally {
    await reader.close();
  }
}

describe('torch.save zip checkpoints (written by PyTorch 1.13)', () => {
  it('reads {model: state_dict} in fp32, int64 buffers included', async () => {
    await expectFile('nested-fp32.pt');
    await expectFile('nested-fp32.pt', 'model');
  });

  it('reads a zip64 archive (end records and 64-bit central directory fields, by Python zipfile)', async () => {
    await expectFile('zip64.pt', 'model');
    const source = await openFileSource(`${FIXTURES}zip64.pt`);
    const opened = await openTorchZip(source);
    // The zip64 locator and end record are read on top of the plain end record.
    expect(opened.indexBytes.directory).toBe(EXPECTED.files['zip64.pt']!.layout!.directoryBytes);
    await source.close();
  });

  it('reads {epoch, state_dict with module., optimizer} in fp16 and finds the state dict', async () => {
    const reader = await openCheckpoint(`${FIXTURES}epoch-module-fp16.pt`, {
      root: 'auto',
      stripPrefix: 'module.',
    });
    expect(reader.root).toBe('state_dict');
    expect(reader.names()).toContain('conv.weight');
    expect(reader.info('conv.weight').dtype).toBe('float16');
    const top = Object.fromEntries(reader.topLevel.map((entry) => [entry.key, entry]));
    expect(top.epoch).toEqual({ key: 'epoch', kind: 'value', tensors: 0, value: 3 });
    expect(top.name?.value).toBe('tiny-run');
    // A numpy float64 scalar, pickled through numpy.core.multiarray.scalar and _codecs.encode.
    expect(top.best_loss?.value).toBe(0.8125);
    expect(top.optimizer?.kind).toBe('container');
    expect(top.optimizer!.tensors).toBeGreaterThan(0);
    await reader.close();
    await expectFile('epoch-module-fp16.pt', 'state_dict', 'module.');
    await expectFile('epoch-module-fp16.pt');
  });

  it('reads a bf16 state dict saved at the top level', async () => {
    await expectFile('plain-bf16.pt');
    const reader = await openCheckpoint(`${FIXTURES}plain-bf16.pt`, { root: 'auto' });
    expect(reader.root).toBe('');
    await reader.close();
  });

  it('reads views: transposes, storage offsets, strided slices, stride 0, 0-d, empty, nested lists', async () => {
    await expectFile('views.pt');
  });

  it('refuses an int64 value outside the int32 range, naming the tensor', async () => {
    const reader = await openCheckpoint(`${FIXTURES}int64-overflow.pt`);
    await expect(reader.read('position_ids')).rejects.toMatchObject({
      code: 'TENSOR_INT_RANGE',
      message: expect.stringContaining('position_ids'),
    });
    await reader.close();
  });

  it('reads only the wanted storages: bytesRead ≤ wanted + zip directory + pickle', async () => {
    const file = EXPECTED.files['laziness.pt']!;
    const layout = file.layout!;
    const bytes = (names: string[]) =>
      names.reduce((sum, name) => {
        const { dtype, shape } = file.tensors[name]!;
        return sum + shape.reduce((a, b) => a * b, 1) * (dtype === 'float32' ? 4 : 8);
      }, 0);
    const wantedNames = Object.keys(layout.wanted);
    const unused = Object.keys(file.tensors).filter((name) => !wantedNames.includes(name));
    // The fixture's premise: what is not wanted (head + optimizer state) is > 10× what is.
    expect(bytes(unused)).toBeGreaterThan(10 * bytes(wantedNames));

    const reader = await openCheckpoint(`${FIXTURES}laziness.pt`, {
      root: 'auto',
      stripPrefix: 'module.',
    });
    const afterIndex = reader.bytesRead;
    for (const name of ['encoder.weight', 'encoder.bias']) {
      await expectTensor(reader, name, file.tensors[`state_dict.module.${name}`]!);
    }
    const storages = Object.values(layout.wanted).map((key) => layout.storages[key]!);
    const wantedBytes = storages.reduce((sum, s) => sum + s.bytes, 0);
    const localHeaders = storages.reduce((sum, s) => sum + s.localHeader, 0);
    // 16 bytes sniff the format; each wanted storage's local header says where its data starts.
    expect(afterIndex).toBeLessThanOrEqual(16 + layout.directoryBytes + layout.pickleBytes);
    expect(reader.bytesRead).toBeLessThanOrEqual(
      16 + layout.directoryBytes + layout.pickleBytes + wantedBytes + localHeaders,
    );
    expect(reader.bytesRead).toBeLessThan(layout.fileBytes / 10);
    await reader.close();

    const source = await openFileSource(`${FIXTURES}laziness.pt`);
    const opened = await openTorchZip(source);
    // The archive also holds zip64 end records, which the reader skips when the plain one suffices.
    expect(opened.indexBytes.directory).toBeLessThanOrEqual(layout.directoryBytes);
    expect(opened.indexBytes.pickle).toBeLessThanOrEqual(layout.pickleBytes);
    await source.close();
  });
});

describe('refusing code in a pickle', () => {
  const marker = EXPECTED.marker;
  beforeAll(() => rmSync(marker, { force: true }));
  afterAll(() => rmSync(marker, { force: true }));

  it.each(['evil-reduce.pt', 'evil-protocol4.pt'])(
    '%s (reduce → os.system) is refused by name and nothing runs',
    async (file) => {
      const error = await openCheckpoint(`${FIXTURES}${file}`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CheckpointError);
      expect(error).toMatchObject({ code: 'PICKLE_GLOBAL_REFUSED' });
      expect((error as Error).message).toMatch(/posix\.system/);
      expect((error as Error).message).toContain(`${FIXTURES}${file}`);
      expect(existsSync(marker)).toBe(false);
    },
  );
});

describe('errors a user can act on', () => {
  it('names a tensor that is not there and refuses use after close', async () => {
    const reader = await openCheckpoint(`${FIXTURES}nested-fp32.pt`, { root: 'model' });
    expect(() => reader.info('nope')).toThrow(
      expect.objectContaining({ code: 'TENSOR_NOT_FOUND' }),
    );
    await reader.close();
    await expect(reader.read('fc.weight')).rejects.toMatchObject({ code: 'CHECKPOINT_CLOSED' });
  });

  it('refuses a FIFO before opening it (opening one would block forever)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clapjs-fifo-'));
    try {
      execFileSync('mkfifo', [join(dir, 'pipe.pt')]);
      await expect(openCheckpoint(join(dir, 'pipe.pt'))).rejects.toMatchObject({
        code: 'CHECKPOINT_NOT_FOUND',
        message: expect.stringContaining('not a regular file'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a missing path, a folder without a checkpoint and a key that holds no tensors', async () => {
    await expect(openCheckpoint(`${FIXTURES}missing.pt`)).rejects.toMatchObject({
      code: 'CHECKPOINT_NOT_FOUND',
    });
    await expect(openCheckpoint(FIXTURES)).rejects.toMatchObject({ code: 'CHECKPOINT_NOT_FOUND' });
    await expect(
      openCheckpoint(`${FIXTURES}nested-fp32.pt`, { root: 'state_dict' }),
    ).rejects.toMatchObject({ code: 'STATE_DICT_NOT_FOUND' });
  });
});
