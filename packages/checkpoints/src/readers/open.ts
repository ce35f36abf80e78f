import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openFileSource } from './byte-source.js';
import { openByContent } from './detect.js';
import { CheckpointError } from './errors.js';
import {
  createReader,
  type CheckpointReader,
  type OpenCheckpointOptions,
  type OpenedFile,
} from './reader.js';
import { openSharded } from './sharded.js';

/** The files a model folder is searched for, in this order (Hugging Face's names). */
export const FOLDER_FILES = [
  'model.safetensors.index.json',
  'model.safetensors',
  'pytorch_model.bin.index.json',
  'pytorch_model.bin',
] as const;

/**
 * Opens a checkpoint for lazy reading: a `torch.save` zip archive (`.pt`, `.pth`, `.ckpt`,
 * `pytorch_model.bin`), a legacy (pre-1.6) torch file, a `.safetensors` file, or a sharded
 * checkpoint's `*.index.json`; the format is told from the first bytes. A folder is searched for
 * {@link FOLDER_FILES}. Only the index is read here (zip directory + pickle, a legacy file's
 * pickles, or a safetensors header); `reader.read(name)` reads
 * one tensor's bytes. Nothing in the file is ever executed: a pickle naming anything beyond the
 * globals a state dict needs is refused with `PICKLE_GLOBAL_REFUSED`.
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
  const info = await stat(file).catch(() => undefined);
  let opened: OpenedFile;
  if (file.endsWith('.json') && info?.isFile()) {
    opened = await openSharded(file, info.size);
  } else {
    const source = await openFileSource(file);
    try {
      opened = await openByContent(source);
    } catch (error) {
      await source.close();
      throw error;
    }
  }
  try {
    return createReader(opened, options);
  } catch (error) {
    await Promise.all(opened.sources.map((source) => source.close()));
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
