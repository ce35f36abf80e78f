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
});
