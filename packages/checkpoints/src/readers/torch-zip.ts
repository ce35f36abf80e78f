import type { ByteSource } from './byte-source.js';
import { bytesPerElement, convertView, directFloat32, numelOf, viewSpan } from './convert.js';
import { CheckpointError } from './errors.js';
import type { StorageRef, TensorRef } from './pickle-values.js';
import type { OpenedFile, TensorEntry } from './reader.js';
import { unpickleTorch } from './torch-pickle.js';
import { flattenTensors } from './tree.js';
import { readZipDirectory, zipEntryDataOffset, type ZipEntry } from './zip.js';

/** What the laziness accounting needs: the bytes spent on the index of a torch zip. */
export interface TorchZipIndexBytes {
  /** End records + central directory. */
  readonly directory: number;
  /** `data.pkl` with its local header. */
  readonly pickle: number;
}

/**
 * Opens a `torch.save` zip archive (`.pt`, `.pth`, `.ckpt`, `pytorch_model.bin`): reads the
 * central directory and `data.pkl` (through the allow-listed unpickler), checks that every
 * storage the pickle names is a member big enough for it, and reads no tensor data.
 * @throws CheckpointError (`ZIP_FORMAT`, `PICKLE_*`, `TORCH_FORMAT`, `CHECKPOINT_FORMAT_UNKNOWN`)
 */
export async function openTorchZip(
  source: ByteSource,
): Promise<OpenedFile & { readonly indexBytes: TorchZipIndexBytes }> {
  const { entries, directoryBytes } = await readZipDirectory(source);
  const pickles = [...entries.keys()].filter((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (pickles.length !== 1) {
    throw new CheckpointError(
      'CHECKPOINT_FORMAT_UNKNOWN',
      `${source.name} is a zip archive but not one torch.save wrote (${pickles.length === 0 ? 'no' : 'several'} <name>/data.pkl members); give a .pt/.pth/.bin file saved with torch.save.`,
    );
  }
  const prefix = pickles[0]!.slice(0, -'data.pkl'.length);
  const before = source.bytesRead;
  await checkByteOrder(source, entries.get(`${prefix}byteorder`));
  const pickleEntry = entries.get(pickles[0]!)!;
  const pickleStart = await zipEntryDataOffset(source, pickleEntry);
  const pickle = await source.read(pickleStart, pickleEntry.size, 'data.pkl');
  const pickleBytes = source.bytesRead - before;
  const { root, storages } = unpickleTorch(pickle, `${source.name} (data.pkl)`);
  const { tensors: refs, topLevel } = flattenTensors(root, source.name, pickle.byteLength);

  const members = new Map<string, ZipEntry>();
  for (const storage of storages.values()) {
    const member = entries.get(`${prefix}data/${storage.key}`);
    const needed = storage.numel * bytesPerElement(storage.dtype);
    if (member === undefined || member.size < needed) {
      throw new CheckpointError(
        'TORCH_FORMAT',
        `${source.name}: storage ${storage.key} (${storage.numel} × ${storage.dtype}) ${member === undefined ? 'is missing from the archive' : `has only ${member.size} of its ${needed} bytes`}; the file is truncated or corrupt.`,
      );
    }
    members.set(storage.key, member);
  }
  const dataStarts = new Map<string, Promise<number>>();
  const dataStart = (storage: StorageRef) => {
    let start = dataStarts.get(storage.key);
    if (start === undefined) {
      start = zipEntryDataOffset(source, members.get(storage.key)!);
      dataStarts.set(storage.key, start);
    }
    return start;
  };
  const tensors = new Map<string, TensorEntry>();
  for (const [name, ref] of refs) {
    tensors.set(name, {
      dtype: ref.storage.dtype,
      shape: ref.shape,
      read: async (tensorName) => readTensor(source, ref, await dataStart(ref.storage), tensorName),
    });
  }
  return {
    path: source.name,
    format: 'torch-zip',
    topLevel,
    tensors,
    sources: [source],
    indexBytes: { directory: directoryBytes, pickle: pickleBytes },
  };
}

async function checkByteOrder(source: ByteSource, entry: ZipEntry | undefined) {
  if (entry === undefined) return;
  if (entry.size > 16) {
    throw new CheckpointError('TORCH_FORMAT', `${source.name}: its byteorder record is malformed.`);
  }
  const start = await zipEntryDataOffset(source, entry);
  const order = new TextDecoder().decode(await source.read(start, entry.size, 'byteorder'));
  if (order !== 'little') {
    throw new CheckpointError(
      'TORCH_FORMAT',
      `${source.name} was saved on a ${order.slice(0, 16)}-endian machine; load and save it again with torch on a little-endian one.`,
    );
  }
}

/** Reads the bytes a tensor's view spans (not its whole storage) and converts them. */
export async function readTensor(source: ByteSource, ref: TensorRef, start: number, name: string) {
  const view = { dtype: ref.storage.dtype, shape: ref.shape, strides: ref.strides };
  const size = bytesPerElement(view.dtype);
  const count = viewSpan(view);
  const offset = start + ref.offset * size;
  const direct = directFloat32(view);
  if (direct !== undefined) {
    await source.read(offset, count * size, `tensor ${name}`, new Uint8Array(direct.buffer));
    return direct;
  }
  if (numelOf(view.shape) === 0) return convertView(new Uint8Array(0), view, name);
  return convertView(await source.read(offset, count * size, `tensor ${name}`), view, name);
}
