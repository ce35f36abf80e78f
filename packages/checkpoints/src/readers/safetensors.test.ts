import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSafetensors } from '@clapjs/model';
import { afterAll, describe, expect, it } from 'vitest';
import { memorySource } from './byte-source.js';
import { openCheckpoint } from './open.js';
import { openSafetensors, parseSafetensorsHeader } from './safetensors.js';
import { EXPECTED, FIXTURES, expectTensor } from './test-utils/fixtures.js';

const scratch = mkdtempSync(join(tmpdir(), 'clapjs-safetensors-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A safetensors file with the given header object and `dataBytes` bytes of data. */
function file(header: unknown, dataBytes: number, raw?: string): Uint8Array {
  const text = new TextEncoder().encode(raw ?? JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  return out;
}

const open = (bytes: Uint8Array) => openSafetensors(memorySource(bytes, 'x.safetensors'));
const t = (dtype: string, shape: unknown, offsets: unknown) => ({
  dtype,
  shape,
  data_offsets: offsets,
});

describe('safetensors, read lazily', () => {
  it.each([
    ['tiny.safetensors', 'safetensors'],
    ['sharded/model.safetensors.index.json', 'safetensors-sharded'],
    ['sharded', 'safetensors-sharded'],
    ['sharded-bin/pytorch_model.bin.index.json', 'torch-zip-sharded'],
  ])('%s reads every tensor as PyTorch wrote it (fp32/fp16/bf16/int64)', async (path, format) => {
    const reader = await openCheckpoint(`${FIXTURES}${path}`);
    expect(reader.format).toBe(format);
    const tensors = EXPECTED.files[path.split('/')[0]!]!.tensors;
    expect(reader.names().sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, want] of Object.entries(tensors)) await expectTensor(reader, name, want);
    await reader.close();
  });

  it('reads a header and one tensor, not the file', async () => {
    const path = `${FIXTURES}tiny.safetensors`;
    const bytes = readFileSync(path);
    const headerEnd = 8 + Number(bytes.readBigUInt64LE(0));
    const reader = await openCheckpoint(path);
    // 16 bytes sniff the format, then the 8-byte length and the header.
    expect(reader.bytesRead).toBe(16 + headerEnd);
    const { shape } = reader.info('fc.weight');
    await reader.read('fc.weight');
    expect(reader.bytesRead).toBe(16 + headerEnd + shape.reduce((a, b) => a * b, 1) * 2);
    await reader.close();
  });

  it("reads what @clapjs/model's writer writes", async () => {
    const data = Float32Array.from({ length: 6 }, (_, i) => i * 0.5 - 1);
    const path = join(scratch, 'written.safetensors');
    writeFileSync(path, writeSafetensors(new Map([['w', { shape: [2, 3], data }]])));
    const reader = await openCheckpoint(path);
    expect([...(await reader.read('w'))]).toEqual([...data]);
    await reader.close();
  });

  it('refuses a shard index that points outside its folder', async () => {
    const index = join(scratch, 'model.safetensors.index.json');
    writeFileSync(index, JSON.stringify({ weight_map: { w: '../tiny.safetensors' } }));
    await expect(openCheckpoint(index)).rejects.toMatchObject({ code: 'SHARD_INDEX_FORMAT' });
    writeFileSync(index, JSON.stringify({ weight_map: { nope: 'written.safetensors' } }));
    await expect(openCheckpoint(index)).rejects.toMatchObject({
      code: 'SHARD_INDEX_FORMAT',
      message: expect.stringContaining('nope'),
    });
  });
});

describe('safetensors header validation (the format rules)', () => {
  it('accepts a valid header, zero-size tensors and metadata', async () => {
    const header = {
      __metadata__: { format: 'pt' },
      a: t('F32', [2], [0, 8]),
      e: t('F16', [0, 3], [8, 8]),
      b: t('I64', [], [8, 16]),
    };
    const opened = await open(file(header, 16));
    expect([...opened.tensors.keys()]).toEqual(['a', 'e', 'b']);
  });

  it.each([
    ['null header', null, 0],
    ['array header', [], 0],
    ['negative offsets', { a: t('F32', [1], [-4, 0]) }, 4],
    ['overlapping tensors', { a: t('F32', [2], [0, 8]), b: t('F32', [1], [4, 8]) }, 8],
    ['a gap', { a: t('F32', [1], [4, 8]) }, 8],
    ['bytes after the last tensor', { a: t('F32', [1], [0, 4]) }, 8],
    ['offsets past the end', { a: t('F32', [4], [0, 16]) }, 8],
    ['a negative dimension', { a: t('F32', [-1], [0, 0]) }, 0],
    ['a fractional dimension', { a: t('F32', [1.5], [0, 6]) }, 6],
    ['a string shape', { a: t('F32', 'abc', [0, 4]) }, 4],
    ['an unknown dtype', { a: t('F31', [1], [0, 4]) }, 4],
    ['a wrong byte count', { a: t('F32', [2], [0, 4]) }, 4],
    ['an unknown field', { a: { ...t('F32', [1], [0, 4]), extra: 1 } }, 4],
    ['metadata that is not strings', { __metadata__: { n: 1 }, a: t('F32', [1], [0, 4]) }, 4],
  ])('refuses %s', async (_, header, dataBytes) => {
    await expect(open(file(header, dataBytes))).rejects.toMatchObject({
      code: 'SAFETENSORS_FORMAT',
    });
  });

  it('refuses a duplicate key, which JSON.parse would hide', async () => {
    const raw =
      '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
    await expect(open(file(null, 4, raw))).rejects.toMatchObject({
      code: 'SAFETENSORS_FORMAT',
      message: expect.stringContaining('"a" appears twice'),
    });
    expect(() =>
      parseSafetensorsHeader(
        '{"a":{"dtype":"F32","dtype":"F16","shape":[1],"data_offsets":[0,4]}}',
        0,
        4,
        'x',
      ),
    ).toThrow(/"dtype" appears twice/);
  });

  it('refuses a header length beyond the file before allocating it', async () => {
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 40n, true);
    await expect(open(bytes)).rejects.toMatchObject({ code: 'SAFETENSORS_FORMAT' });
  });

  it('names an unsupported dtype of the format', async () => {
    await expect(open(file({ a: t('F8_E4M3', [4], [0, 4]) }, 4))).rejects.toMatchObject({
      code: 'TENSOR_DTYPE_UNSUPPORTED',
    });
  });
});
