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

/** Keys of the top-level object of a JSON text that parsed, in order (to find duplicates). */
function topLevelKeys(json: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let j = i + 1;
      while (json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      if (depth === 1 && /^\s*:/.test(json.slice(j + 1, j + 16)))
        keys.push(JSON.parse(json.slice(i, j + 1)) as string);
      i = j;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return keys;
}

/** The largest header the reference implementation accepts (100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

/**
 * Reads a safetensors file (8-byte little-endian header length, a JSON header, then raw
 * little-endian data; https://github.com/huggingface/safetensors). Every tensor is returned as
 * float32; `__metadata__` is returned separately. The header is validated by the format's own
 * rules before any data is read: an object of unique keys; each tensor a known dtype, a shape
 * of non-negative integers and `data_offsets` [begin, end] matching its size; the tensors cover
 * the data section exactly, in order, without gaps or overlaps; `__metadata__` maps strings to
 * strings.
 * @throws ModelFormatError (`SAFETENSORS_FORMAT`) naming the tensor and what is wrong
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
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER_BYTES, bytes.byteLength - 8)))
    fail(
      `the header length ${headerLength} runs past the end of the file (${bytes.byteLength} bytes) or over the ${MAX_HEADER_BYTES}-byte limit`,
    );
  const dataStart = 8 + Number(headerLength);
  const dataLength = bytes.byteLength - dataStart;
  let json: string;
  let header: unknown;
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart));
    header = JSON.parse(json) as unknown;
  } catch (error) {
    return fail(`its JSON header does not parse (${(error as Error).message.slice(0, 200)})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    fail(
      `its header is ${header === null ? 'null' : Array.isArray(header) ? 'a list' : typeof header}, expected a JSON object`,
    );
  const record = header as Record<string, unknown>;
  const keys = topLevelKeys(json);
  const duplicate = keys.find((k, i) => keys.indexOf(k) !== i);
  if (duplicate !== undefined) fail(`the header lists "${duplicate.slice(0, 100)}" twice`);
  const label = (key: string) => `tensor "${key.slice(0, 100)}"`;
  const entries: {
    key: string;
    dtype: SafetensorsDtype;
    shape: number[];
    begin: number;
    end: number;
    count: number;
  }[] = [];
  let metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === '__metadata__') {
      if (
        typeof value !== 'object' ||
        value === null ||
        Array.isArray(value) ||
        !Object.values(value).every((v) => typeof v === 'string')
      )
        fail('__metadata__ must map strings to strings');
      metadata = value as Record<string, string>;
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      fail(
        `${label(key)} is ${value === null ? 'null' : typeof value}, expected { dtype, shape, data_offsets }`,
      );
    const entry = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = entry.dtype;
    if (typeof dtype !== 'string' || !Object.hasOwn(BYTES, dtype))
      fail(
        `${label(key)} has dtype ${JSON.stringify(dtype)?.slice(0, 40)}; supported: ${Object.keys(BYTES).join(', ')}`,
      );
    const shape = entry.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      fail(
        `${label(key)} has shape ${JSON.stringify(shape)?.slice(0, 100)}; expected a list of non-negative integers`,
      );
    const offsets = entry.data_offsets;
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      offsets[0] > offsets[1]
    )
      fail(
        `${label(key)} has data_offsets ${JSON.stringify(offsets)?.slice(0, 100)}; expected [begin, end] with 0 ≤ begin ≤ end`,
      );
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const [begin, end] = offsets as [number, number];
    if (end - begin !== count * BYTES[dtype as SafetensorsDtype])
      fail(
        `${label(key)} (shape [${(shape as number[]).join(', ')}], ${dtype}) needs ${count * BYTES[dtype as SafetensorsDtype]} bytes but its data_offsets [${begin}, ${end}] span ${end - begin}`,
      );
    if (end > dataLength)
      fail(
        `${label(key)} ends at data offset ${end}, past the ${dataLength} bytes of data in the file (truncated?)`,
      );
    entries.push({
      key,
      dtype: dtype as SafetensorsDtype,
      shape: shape as number[],
      begin,
      end,
      count,
    });
  }
  // The tensors tile the data section: sorted by offset, each starts where the previous ended.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let position = 0;
  for (const e of entries) {
    if (e.begin !== position)
      fail(
        `${label(e.key)} starts at data offset ${e.begin}, but the previous tensor ends at ${position} (tensors must not overlap or leave gaps)`,
      );
    position = e.end;
  }
  if (position !== dataLength)
    fail(
      `the tensors cover ${position} bytes of data but the file holds ${dataLength} after the header (truncated, or extra bytes)`,
    );
  const tensors = new Map<string, SafetensorsTensor>();
  for (const e of entries) {
    const slice = new DataView(
      bytes.buffer,
      bytes.byteOffset + dataStart + e.begin,
      e.end - e.begin,
    );
    tensors.set(e.key, { dtype: e.dtype, shape: e.shape, data: decode(e.dtype, slice, e.count) });
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
