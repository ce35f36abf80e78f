import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openFileSource, type ByteSource } from './byte-source.js';
import { CheckpointError } from './errors.js';
import { createReader, type CheckpointReader, type OpenCheckpointOptions } from './reader.js';
import { openTorchZip } from './torch-zip.js';

/** The magic number that opens a legacy (pre-1.6, non-zip) torch.save file: LONG1 0x1950a86a20f9469cfc6c. */
const LEGACY_MAGIC = [
  0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19,
];

/** The files a model folder is searched for, in order. */
export const FOLDER_FILES = ['pytorch_model.bin'] as const;

/**
 * Opens a checkpoint for lazy reading, detecting its format from its first bytes: a `torch.save`
 * zip archive (`.pt`, `.pth`, `.ckpt`, `pytorch_model.bin`). A folder is searched for
 * {@link FOLDER_FILES}. Only the index is read here (zip directory + pickle); tensors are read
 * one by one with `reader.read(name)`. Nothing in the file is ever executed.
 * @example
 * const reader = await openCheckpoint('CLAP_weights_2022.pth', { root: 'auto' });
 * const weight = await reader.read('audio_encoder.base.conv_block1.conv1.weight');
 * await reader.close();
 * @throws CheckpointError (see its codes)
 */
export async function openCheckpoint(
  path: string,
  options: OpenCheckpointOptions = {},
): Promise<CheckpointReader> {
  const file = await resolveFolder(path);
  const source = await openFileSource(file);
  try {
    return createReader(await openSource(source), options);
  } catch (error) {
    await source.close();
    throw error;
  }
}

async function resolveFolder(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) return path;
  for (const name of FOLDER_FILES) {
    const candidate = join(path, name);
    if ((await stat(candidate).catch(() => undefined))?.isFile()) return candidate;
  }
  throw new CheckpointError(
    'CHECKPOINT_NOT_FOUND',
    `${path} is a folder without a checkpoint (looked for ${FOLDER_FILES.join(', ')}); give the checkpoint file's path.`,
  );
}

/** Opens one file of a known source by its first bytes. */
async function openSource(source: ByteSource) {
  const head = await source.read(0, Math.min(16, source.size), 'the first bytes');
  if (head[0] === 0x50 && head[1] === 0x4b) return openTorchZip(source);
  if (LEGACY_MAGIC.every((byte, i) => head[i] === byte)) {
    throw new CheckpointError(
      'CHECKPOINT_LEGACY_FORMAT',
      `${source.name} is in torch's legacy (pre-1.6) format; load it with torch and save it again (torch.save writes the zip format since 1.6).`,
    );
  }
  const hex = [...head.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new CheckpointError(
    'CHECKPOINT_FORMAT_UNKNOWN',
    `${source.name} is not a checkpoint clapjs reads (first bytes ${hex || 'none: empty file'}); expected a torch.save zip (.pt/.pth/.ckpt/.bin) or a .safetensors file.`,
  );
}
