import type { ByteSource } from './byte-source.js';
import { convertView, directFloat32, numelOf } from './convert.js';
import { CheckpointError } from './errors.js';
import { findDuplicateKey } from './json-keys.js';
import type { TorchDtype } from './pickle-values.js';
import type { OpenedFile, TensorEntry } from './reader.js';

/** Byte widths of every dtype the safetensors format defines. */
const FORMAT_DTYPES: Readonly<Record<string, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

/** The format's dtypes that clapjs reads, as torch dtypes. */
const READABLE: Readonly<Record<string, TorchDtype>> = {
  BOOL: 'bool',
  U8: 'uint8',
  I8: 'int8',
  I16: 'int16',
  F16: 'float16',
  BF16: 'bfloat16',
  I32: 'int32',
  F32: 'float32',
  F64: 'float64',
  I64: 'int64',
};

/** The format's own limit on the JSON header (safetensors' MAX_HEADER_SIZE). */
const MAX_HEADER_BYTES = 100_000_000;

/** One tensor of a validated header; offsets are absolute in the file. */
export interface SafetensorsEntry {
  readonly dtype: TorchDtype;
  readonly shape: readonly number[];
  readonly start: number;
  readonly end: number;
}

function isDim(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Validates a safetensors header by the format's rules: a JSON object; `__metadata__` maps
 * strings to strings; every other key is a tensor with exactly `dtype` (a format dtype),
 * `shape` (non-negative integers) and `data_offsets` [begin, end] whose length is the shape's
 * bytes; keys are unique; the tensors, sorted by offset, tile the data section from 0 to its end
 * with no gap and no overlap.
 * @param dataStart where the data section starts (8 + header length)
 * @param fileSize the file's length
 * @throws CheckpointError (`SAFETENSORS_FORMAT`, `TENSOR_DTYPE_UNSUPPORTED`)
 */
export function parseSafetensorsHeader(
  text: string,
  dataStart: number,
  fileSize: number,
  name: string,
): Map<string, SafetensorsEntry> {
  const fail = (why: string): never => {
    throw new CheckpointError(
      'SAFETENSORS_FORMAT',
      `${name} is not a valid safetensors file: ${why}; download or save it again.`,
    );
  };
  if (!text.startsWith('{')) fail('its header does not start with "{"');
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    return fail(`its JSON header does not parse (${(error as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    fail('its header is not a JSON object');
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) fail(`the key "${duplicate.slice(0, 200)}" appears twice`);
  const entries: [string, SafetensorsEntry, number, string][] = [];
  for (const [key, value] of Object.entries(header as Record<string, unknown>)) {
    const label = `tensor "${key.slice(0, 200)}"`;
    if (key === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        fail('__metadata__ is not an object');
      }
      for (const item of Object.values(value as object)) {
        if (typeof item !== 'string') fail('__metadata__ has a value that is not a string');
      }
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return fail(`${label} is not an object`);
    }
    const { dtype, shape, data_offsets: offsets, ...rest } = value as Record<string, unknown>;
    if (Object.keys(rest).length > 0)
      fail(`${label} has unknown fields (${Object.keys(rest).join(', ')})`);
    if (typeof dtype !== 'string' || !(dtype in FORMAT_DTYPES)) {
      return fail(
        `${label} has dtype ${JSON.stringify(dtype)?.slice(0, 40)}; the format defines ${Object.keys(FORMAT_DTYPES).join(', ')}`,
      );
    }
    if (!Array.isArray(shape) || !shape.every(isDim)) {
      return fail(`${label} has a shape that is not a list of non-negative integers`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isDim)) {
      return fail(`${label} has data_offsets that are not two non-negative integers`);
    }
    const [begin, end] = offsets as [number, number];
    const bytes = numelOf(shape) * FORMAT_DTYPES[dtype]!;
    if (!Number.isSafeInteger(bytes) || end < begin || end - begin !== bytes) {
      fail(
        `${label} (shape [${shape.join(', ')}], ${dtype}) has data_offsets [${begin}, ${end}], not ${bytes} bytes`,
      );
    }
    entries.push([
      key,
      { dtype: READABLE[dtype] ?? 'uint8', shape, start: dataStart + begin, end: dataStart + end },
      begin,
      dtype,
    ]);
  }
  const sorted = [...entries].sort((a, b) => a[2] - b[2] || a[1].end - b[1].end);
  let next = dataStart;
  for (const [key, entry] of sorted) {
    if (entry.start !== next) {
      fail(
        `tensor "${key.slice(0, 200)}" starts at byte ${entry.start - dataStart} of the data, not ${next - dataStart} (tensors overlap or leave a gap)`,
      );
    }
    next = entry.end;
  }
  if (next !== fileSize) {
    fail(
      `its tensors end at byte ${next} but the file has ${fileSize} (truncated, or trailing bytes)`,
    );
  }
  const out = new Map<string, SafetensorsEntry>();
  for (const [key, entry, , dtype] of entries) {
    if (!(dtype in READABLE)) {
      throw new CheckpointError(
        'TENSOR_DTYPE_UNSUPPORTED',
        `${name}: tensor "${key}" has dtype ${dtype}; clapjs reads ${Object.keys(READABLE).join(', ')}. Convert it and save again.`,
      );
    }
    out.set(key, entry);
  }
  return out;
}

/**
 * Opens a safetensors file lazily: reads the 8-byte length and the JSON header only, validates
 * the header fully, and reads each tensor's bytes when asked.
 * @throws CheckpointError (`SAFETENSORS_FORMAT`, `TENSOR_DTYPE_UNSUPPORTED`)
 */
export async function openSafetensors(source: ByteSource): Promise<OpenedFile> {
  const fail = (why: string): never => {
    throw new CheckpointError(
      'SAFETENSORS_FORMAT',
      `${source.name} is not a valid safetensors file: ${why}; download or save it again.`,
    );
  };
  if (source.size < 8) fail(`it has ${source.size} bytes, fewer than the 8-byte header length`);
  const lengthBytes = await source.read(0, 8, 'the header length');
  const length = new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 8).getBigUint64(0, true);
  if (length > BigInt(Math.min(MAX_HEADER_BYTES, source.size - 8))) {
    fail(
      `its header length ${length} runs past the end of the file (or the format's 100 MB limit)`,
    );
  }
  const headerBytes = await source.read(8, Number(length), 'the header');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    return fail('its header is not UTF-8');
  }
  const parsed = parseSafetensorsHeader(text, 8 + Number(length), source.size, source.name);
  const tensors = new Map<string, TensorEntry>();
  for (const [key, entry] of parsed) {
    tensors.set(key, {
      dtype: entry.dtype,
      shape: entry.shape,
      read: (tensorName) => readEntry(source, entry, tensorName),
    });
  }
  return {
    path: source.name,
    format: 'safetensors',
    topLevel: [...parsed.keys()].map((key) => ({ key, tensors: 1, kind: 'tensor' as const })),
    tensors,
    sources: [source],
  };
}

async function readEntry(source: ByteSource, entry: SafetensorsEntry, name: string) {
  const strides: number[] = [];
  let stride = 1;
  for (let i = entry.shape.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= entry.shape[i]!;
  }
  const view = { dtype: entry.dtype, shape: entry.shape, strides };
  const direct = directFloat32(view);
  const length = entry.end - entry.start;
  if (direct !== undefined) {
    await source.read(entry.start, length, `tensor ${name}`, new Uint8Array(direct.buffer));
    return direct;
  }
  return convertView(await source.read(entry.start, length, `tensor ${name}`), view, name);
}
