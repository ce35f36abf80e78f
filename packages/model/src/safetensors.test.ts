import { describe, expect, it } from 'vitest';
import { ModelFormatError } from './errors.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';

describe('safetensors', () => {
  it('round-trips float32 tensors with metadata, data 8-byte aligned', () => {
    const tensors = new Map([
      ['b.weight', { shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, -6.5]) }],
      ['a.scale', { shape: [], data: new Float32Array([2.6592600345611572]) }],
    ]);
    const bytes = writeSafetensors(tensors, { format: 'pt' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const { tensors: back, metadata } = readSafetensors(bytes);
    expect(metadata).toEqual({ format: 'pt' });
    expect([...back.keys()]).toEqual(['a.scale', 'b.weight']);
    expect(back.get('b.weight')!.shape).toEqual([2, 3]);
    expect(Array.from(back.get('b.weight')!.data)).toEqual([1, 2, 3, 4, 5, -6.5]);
    expect(back.get('a.scale')!.data[0]).toBeCloseTo(2.65926, 5);
  });

  it('reads F16 and BF16 tensors as float32', () => {
    const header = JSON.stringify({
      h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] },
      b: { dtype: 'BF16', shape: [1], data_offsets: [4, 6] },
    });
    const head = new TextEncoder().encode(header);
    const bytes = new Uint8Array(8 + head.length + 6);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0, BigInt(head.length), true);
    bytes.set(head, 8);
    view.setUint16(8 + head.length, 0x3c00, true); // 1.0
    view.setUint16(8 + head.length + 2, 0xc000, true); // -2.0
    view.setUint16(8 + head.length + 4, 0x3fc0, true); // bf16 1.5
    const { tensors } = readSafetensors(bytes);
    expect(Array.from(tensors.get('h')!.data)).toEqual([1, -2]);
    expect(Array.from(tensors.get('b')!.data)).toEqual([1.5]);
  });

  it('refuses truncated files and bad headers with a typed error', () => {
    const good = writeSafetensors(new Map([['x', { shape: [4], data: new Float32Array(4) }]]));
    expect(() => readSafetensors(good.subarray(0, good.length - 3), 'cut.safetensors')).toThrow(
      /cut.safetensors.*"x"/,
    );
    expect(() => readSafetensors(new Uint8Array(4))).toThrow(ModelFormatError);
    const junk = new Uint8Array(16);
    new DataView(junk.buffer).setBigUint64(0, 8n, true);
    expect(() => readSafetensors(junk)).toThrow(/JSON header/);
  });

  /** A file with a hand-written header and `dataBytes` bytes of data. */
  function file(header: unknown, dataBytes = 0, raw?: string): Uint8Array {
    const head = new TextEncoder().encode(raw ?? JSON.stringify(header));
    const bytes = new Uint8Array(8 + head.length + dataBytes);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(head.length), true);
    bytes.set(head, 8);
    return bytes;
  }
  const t = (dtype: unknown, shape: unknown, offsets: unknown) => ({
    dtype,
    shape,
    data_offsets: offsets,
  });

  it.each([
    ['a null header', null, 0, /header is null/],
    ['a list header', [], 0, /header is a list/],
    ['a null tensor', { x: null }, 0, /"x" is null/],
    ['shape "abc"', { x: t('F32', 'abc', [0, 4]) }, 4, /"x" has shape "abc"/],
    ['shape [1.5]', { x: t('F32', [1.5], [0, 4]) }, 4, /"x" has shape \[1.5\]/],
    ['a negative dimension', { x: t('F32', [-1], [0, 0]) }, 0, /"x" has shape \[-1\]/],
    ['negative offsets', { x: t('F32', [1], [-4, 0]) }, 4, /"x" has data_offsets \[-4,0\]/],
    ['reversed offsets', { x: t('F32', [0], [4, 0]) }, 4, /"x" has data_offsets \[4,0\]/],
    ['offsets of the wrong span', { x: t('F32', [2], [0, 4]) }, 8, /"x" .* needs 8 bytes/],
    ['an unknown dtype', { x: t('Q4', [1], [0, 4]) }, 4, /"x" has dtype "Q4"/],
    [
      'overlapping tensors',
      { x: t('F32', [2], [0, 8]), y: t('F32', [2], [4, 12]) },
      12,
      /"y" starts at data offset 4, but the previous tensor ends at 8/,
    ],
    [
      'a gap between tensors',
      { x: t('F32', [1], [0, 4]), y: t('F32', [1], [8, 12]) },
      12,
      /"y" starts at data offset 8/,
    ],
    ['bytes beyond the last tensor', { x: t('F32', [1], [0, 4]) }, 8, /cover 4 bytes .* holds 8/],
    ['metadata that is not strings', { __metadata__: { a: 1 } }, 0, /__metadata__ must map/],
  ])('refuses %s with a typed error naming it', (_, header, dataBytes, message) => {
    const error = (() => {
      try {
        readSafetensors(file(header, dataBytes as number), 'h.safetensors');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ModelFormatError);
    expect((error as Error).message).toMatch(/^h\.safetensors is not a valid safetensors file/);
    expect((error as Error).message).toMatch(message as RegExp);
  });

  it('refuses duplicate keys (JSON.parse would silently keep the last)', () => {
    const raw =
      '{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
    expect(() => readSafetensors(file(undefined, 4, raw))).toThrow(/lists "x" twice/);
    // A key that only appears nested is no duplicate.
    const nested =
      '{"__metadata__":{"x":"1"},"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
    expect([...readSafetensors(file(undefined, 4, nested)).tensors.keys()]).toEqual(['x']);
  });

  it('refuses a header length past the end of the file without allocating it', () => {
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 62n, true);
    expect(() => readSafetensors(bytes)).toThrow(/header length 4611686018427387904 runs past/);
  });
});
