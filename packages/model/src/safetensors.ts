import { ModelFormatError } from './errors.js';

/** The dtypes clapjs reads and writes in safetensors files. */
export type SafetensorsDtype = 'F32' | 'F16' | 'F64' | 'I32' | 'I64' | 'BF16';

/** One tensor of a safetensors file, decoded to float32 (ints to their values). */
export interface SafetensorsTensor {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

const BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I32: 4, I64: 8 };

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

// Typed arrays use the host's byte order; safetensors is little-endian (so is every common host).
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function decode(dtype: SafetensorsDtype, view: DataView, count: number): Float32Array {
  if (dtype === 'F32' && LITTLE_ENDIAN_HOST) {
    // One copy instead of a DataView read per element (a CNN14 checkpoint has 80 M floats).
    return new Float32Array(view.buffer.slice(view.byteOffset, view.byteOffset + count * 4));
  }
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    switch (dtype) {
      case 'F32':
        out[i] = view.getFloat32(i * 4, true);
        break;
      case 'F64':
        out[i] = view.getFloat64(i * 8, true);
        break;
      case 'F16':
        out[i] = halfToFloat(view.getUint16(i * 2, true));
        break;
      case 'BF16':
        out[i] =
          new Float32Array(new Uint32Array([view.getUint16(i * 2, true) << 16]).buffer)[0] ?? 0;
        break;
      case 'I32':
        out[i] = view.getInt32(i * 4, true);
        break;
      case 'I64':
        out[i] = Number(view.getBigInt64(i * 8, true));
        break;
    }
  }
  return out;
}

/**
 * Reads a safetensors file (8-byte little-endian header length, a JSON header, then raw
 * little-endian data; https://github.com/huggingface/safetensors). Every tensor is returned as
 * float32; `__metadata__` is returned separately.
 * @throws ModelFormatError (`SAFETENSORS_FORMAT`) on a truncated file, a bad header or an
 * unsupported dtype
 */
export function readSafetensors(
  bytes: Uint8Array,
  name = 'safetensors file',
): {
  tensors: Map<string, SafetensorsTensor>;
  metadata: Record<string, string>;
} {
  const fail = (why: string): never => {
    throw new ModelFormatError(
      'SAFETENSORS_FORMAT',
      `${name} is not a valid safetensors file: ${why}.`,
    );
  };
  if (bytes.byteLength < 8)
    fail(`it has ${bytes.byteLength} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > bytes.byteLength)
    fail(`the header length ${headerLength} runs past the end of the file`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<
      string,
      unknown
    >;
  } catch (error) {
    return fail(`its JSON header does not parse (${(error as Error).message})`);
  }
  const dataStart = 8 + headerLength;
  const tensors = new Map<string, SafetensorsTensor>();
  let metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(header)) {
    if (key === '__metadata__') {
      metadata = value as Record<string, string>;
      continue;
    }
    const entry = value as { dtype?: string; shape?: number[]; data_offsets?: [number, number] };
    const dtype = entry.dtype as SafetensorsDtype;
    if (!(dtype in BYTES))
      fail(
        `tensor "${key}" has dtype ${String(entry.dtype)}; supported: ${Object.keys(BYTES).join(', ')}`,
      );
    const shape = entry.shape ?? [];
    const [begin, end] = entry.data_offsets ?? [0, -1];
    const count = shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * BYTES[dtype] || dataStart + end > bytes.byteLength) {
      fail(
        `tensor "${key}" (shape [${shape.join(', ')}], ${dtype}) has data offsets [${begin}, ${end}] that do not fit`,
      );
    }
    const slice = new DataView(bytes.buffer, bytes.byteOffset + dataStart + begin, end - begin);
    tensors.set(key, { dtype, shape, data: decode(dtype, slice, count) });
  }
  return { tensors, metadata };
}

/**
 * Writes float32 tensors as a safetensors file (keys sorted, data 8-byte aligned as the
 * reference implementation does).
 */
export function writeSafetensors(
  tensors: ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: Float32Array }>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const tensor = tensors.get(name)!;
    const size = tensor.data.length * 4;
    header[name] = {
      dtype: 'F32',
      shape: [...tensor.shape],
      data_offsets: [offset, offset + size],
    };
    offset += size;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts on an 8-byte boundary.
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const name of names) {
    const data = tensors.get(name)!.data;
    if (LITTLE_ENDIAN_HOST)
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), position);
    else
      for (let i = 0; i < data.length; i++) view.setFloat32(position + i * 4, data[i] ?? 0, true);
    position += data.length * 4;
  }
  return out;
}
