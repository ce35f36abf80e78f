import type { ByteSource } from './byte-source.js';
import { bytesPerElement } from './convert.js';
import { CheckpointError } from './errors.js';
import { PickleEndError, unpickleAt } from './pickle.js';
import { PyDict, type PyValue, type StorageRef } from './pickle-values.js';
import type { OpenedFile, TensorEntry } from './reader.js';
import { torchHooks } from './torch-pickle.js';
import { readTensor } from './torch-zip.js';
import { flattenTensors } from './tree.js';

/** torch's legacy magic number and protocol version (torch/serialization.py). */
const MAGIC = 0x1950a86a20f9469cfc6cn;
const PROTOCOL = 1001;
/** The legacy pickles (before the storages) are read whole; real ones are well under this. */
const MAX_PICKLES_BYTES = 64 * 1024 * 1024;

/**
 * Opens a legacy (torch < 1.6, non-zip) `torch.save` file: four pickles back to back (magic
 * number, protocol version, system info, the object), a pickled list of storage keys, then each
 * storage as an 8-byte element count and its raw little-endian bytes. Reads the pickles and, per
 * storage read, its 8-byte count; never the data of a tensor not asked for.
 * @throws CheckpointError (`CHECKPOINT_LEGACY_FORMAT`, `PICKLE_*`, `TORCH_FORMAT`)
 */
export async function openLegacy(source: ByteSource): Promise<OpenedFile> {
  const fail = (why: string): never => {
    throw new CheckpointError(
      'CHECKPOINT_LEGACY_FORMAT',
      `${source.name} is a legacy torch file that cannot be read: ${why}; load it with torch and save it again (torch.save writes the zip format).`,
    );
  };
  const { hooks, storages } = torchHooks(`${source.name} (legacy pickle)`, 'legacy');
  let bytes = new Uint8Array(0);
  let at = 0;
  const next = async (): Promise<PyValue> => {
    for (;;) {
      try {
        const { value, end } = unpickleAt(bytes, at, hooks, source.name);
        at = end;
        return value;
      } catch (error) {
        if (!(error instanceof PickleEndError) || bytes.byteLength === source.size) throw error;
        if (bytes.byteLength >= MAX_PICKLES_BYTES) fail('its pickles are larger than 64 MiB');
        // Read on in growing steps: the pickles' length is not written anywhere.
        const length = Math.min(
          source.size,
          MAX_PICKLES_BYTES,
          Math.max(65536, bytes.byteLength * 4),
        );
        const grown = new Uint8Array(length);
        grown.set(bytes);
        await source.read(
          bytes.byteLength,
          length - bytes.byteLength,
          'the legacy pickles',
          grown.subarray(bytes.byteLength),
        );
        bytes = grown;
      }
    }
  };
  if (BigInt((await next()) as number | bigint) !== MAGIC) fail('its magic number is wrong');
  if ((await next()) !== PROTOCOL) fail('its protocol version is not 1001');
  const sysInfo = await next();
  if (!(sysInfo instanceof PyDict) || sysInfo.entries.get('little_endian') !== true) {
    fail('it was saved on a big-endian machine');
  }
  const root = await next();
  const keys = await next();
  if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'string')) {
    return fail('its list of storage keys is malformed');
  }
  // Each storage: an 8-byte count, then its bytes, in the order of the key list.
  const starts = new Map<string, { storage: StorageRef; start: number }>();
  let offset = at;
  for (const key of keys as string[]) {
    const storage = storages.get(key);
    if (storage === undefined || starts.has(key)) fail(`storage ${key} is listed but not pickled`);
    starts.set(key, { storage: storage!, start: offset });
    offset += 8 + storage!.numel * bytesPerElement(storage!.dtype);
    if (offset > source.size) fail(`storage ${key} runs past the end of the file`);
  }
  const { tensors: refs, topLevel } = flattenTensors(root, source.name, bytes.byteLength);
  const checked = new Map<string, Promise<number>>();
  const dataStart = (storage: StorageRef) => {
    let start = checked.get(storage.key);
    if (start === undefined) {
      start = checkCount(source, starts.get(storage.key)!, fail);
      checked.set(storage.key, start);
    }
    return start;
  };
  const tensors = new Map<string, TensorEntry>();
  for (const [name, ref] of refs) {
    if (!starts.has(ref.storage.key)) fail(`storage ${ref.storage.key} is not in the file`);
    tensors.set(name, {
      dtype: ref.storage.dtype,
      shape: ref.shape,
      read: async (tensorName) => readTensor(source, ref, await dataStart(ref.storage), tensorName),
    });
  }
  return { path: source.name, format: 'torch-legacy', topLevel, tensors, sources: [source] };
}

/** Reads a storage's 8-byte element count, checks it, and returns where its data starts. */
async function checkCount(
  source: ByteSource,
  { storage, start }: { storage: StorageRef; start: number },
  fail: (why: string) => never,
): Promise<number> {
  const bytes = await source.read(start, 8, `the size of storage ${storage.key}`);
  const count = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigInt64(0, true);
  if (count !== BigInt(storage.numel)) {
    fail(`storage ${storage.key} says it holds ${count} elements, its tensors ${storage.numel}`);
  }
  return start + 8;
}
