import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { NamedVariable } from '@clapjs/core';
import { TrainerError } from './errors.js';
import type { OptimizerState } from './optimizer.js';

/** Everything besides tensors that a checkpoint restores. */
export interface CheckpointMeta {
  readonly step: number;
  /** The DataLoader's position (`getState()`). */
  readonly data?: unknown;
  /** Saved RNG states by name. */
  readonly rng?: Readonly<Record<string, readonly number[]>>;
  readonly badSteps?: number;
  /** The last validation metrics, if any. */
  readonly metrics?: Readonly<Record<string, number>>;
  /** Free-form (e.g. the model config, the run's losses). */
  readonly extra?: unknown;
}

interface TensorEntry {
  readonly path: string;
  readonly shape: number[];
  readonly offset: number;
  readonly length: number;
}

interface StateFile extends CheckpointMeta {
  readonly format: 'clapjs-checkpoint';
  readonly version: 1;
  readonly weights: TensorEntry[];
  readonly optimizer?: { readonly t: number; readonly moments: TensorEntry[] };
}

/** The file whose presence marks a complete checkpoint; written last. */
export const STATE_FILE = 'state.json';
const TMP_PREFIX = '.tmp-';

function pack(arrays: readonly { path: string; shape: number[]; data: Float32Array }[]): {
  entries: TensorEntry[];
  bytes: Uint8Array;
} {
  const total = arrays.reduce((n, a) => n + a.data.length, 0);
  const all = new Float32Array(total);
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const a of arrays) {
    all.set(a.data, offset);
    entries.push({ path: a.path, shape: a.shape, offset, length: a.data.length });
    offset += a.data.length;
  }
  return { entries, bytes: new Uint8Array(all.buffer) };
}

async function readFloats(file: string): Promise<Float32Array> {
  const buffer = await readFile(file);
  // Copy into an aligned buffer: Buffer slices may start at any byte offset.
  const copy = new Uint8Array(buffer.byteLength);
  copy.set(buffer);
  return new Float32Array(copy.buffer);
}

/**
 * Writes a checkpoint directory atomically: everything goes into a temporary sibling directory
 * which is renamed into place only once complete, so a crash (even kill -9) mid-write never
 * leaves a half-written checkpoint where a complete one is expected. The weights are stored
 * once, in `weights.bin` (a checkpoint restores them into the live model's variables; the run's
 * loadable model directory is written by the caller at the end of training).
 * @param dir the final checkpoint directory (must not exist)
 */
export async function writeCheckpoint(
  dir: string,
  variables: readonly NamedVariable[],
  optimizer: OptimizerState | undefined,
  meta: CheckpointMeta,
): Promise<void> {
  const parent = join(dir, '..');
  const tmp = join(parent, `${TMP_PREFIX}${dir.split(/[\\/]/).pop() ?? 'ckpt'}-${process.pid}`);
  try {
    await writeInto(tmp, variables, optimizer, meta);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
      // Disk full, read-only, permission: the environment. The previous checkpoints are untouched.
      throw new TrainerError(
        'CHECKPOINT_WRITE',
        `Cannot write the checkpoint of step ${meta.step} to ${dir}: ${(error as Error).message.split('\n')[0]}. The earlier checkpoints in ${parent} are intact; free space (or fix permissions) and continue with --resume.`,
        { cause: error },
      );
    }
    throw error;
  }
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
}

async function writeInto(
  tmp: string,
  variables: readonly NamedVariable[],
  optimizer: OptimizerState | undefined,
  meta: CheckpointMeta,
): Promise<void> {
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const weights = pack(
    await Promise.all(
      variables.map(async (v) => ({
        path: v.path,
        shape: [...v.variable.shape],
        data: (await v.variable.data()) as Float32Array,
      })),
    ),
  );
  await writeFile(join(tmp, 'weights.bin'), weights.bytes);
  let optimizerEntry: StateFile['optimizer'];
  if (optimizer !== undefined) {
    const moments = pack(
      [...optimizer.moments].flatMap(([path, { m, v }]) => [
        { path: `${path}#m`, shape: [m.length], data: m },
        { path: `${path}#v`, shape: [v.length], data: v },
      ]),
    );
    await writeFile(join(tmp, 'optimizer.bin'), moments.bytes);
    optimizerEntry = { t: optimizer.t, moments: moments.entries };
  }
  const state: StateFile = {
    format: 'clapjs-checkpoint',
    version: 1,
    ...meta,
    weights: weights.entries,
    ...(optimizerEntry === undefined ? {} : { optimizer: optimizerEntry }),
  };
  await writeFile(join(tmp, STATE_FILE), JSON.stringify(state));
}

/** A checkpoint read back from disk. */
export interface LoadedCheckpoint extends CheckpointMeta {
  readonly dir: string;
  /** Restores the weights into matching variables (by path). */
  restoreWeights(variables: readonly NamedVariable[]): void;
  /** The optimizer moments, if the checkpoint has them. */
  readonly optimizer?: OptimizerState;
}

/**
 * Reads a checkpoint directory written by {@link writeCheckpoint}.
 * @throws TrainerError `CHECKPOINT_MISSING` when there is none, `CHECKPOINT_CORRUPT` when its
 * files do not agree
 */
export async function readCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const stateFile = join(dir, STATE_FILE);
  if (!existsSync(stateFile)) {
    throw new TrainerError(
      'CHECKPOINT_MISSING',
      `No checkpoint at ${dir} (${STATE_FILE} is missing). Point at a directory written by the trainer, e.g. runs/<name>/checkpoints/step-000100.`,
    );
  }
  let state: StateFile;
  let weights: Float32Array;
  let moments: Float32Array | undefined;
  try {
    state = JSON.parse(await readFile(stateFile, 'utf8')) as StateFile;
    weights = await readFloats(join(dir, 'weights.bin'));
    if (state.optimizer !== undefined) moments = await readFloats(join(dir, 'optimizer.bin'));
  } catch (error) {
    throw new TrainerError(
      'CHECKPOINT_CORRUPT',
      `The checkpoint at ${dir} cannot be read: ${String(error)}`,
      { cause: error },
    );
  }
  const expected = state.weights.reduce((n, e) => Math.max(n, e.offset + e.length), 0);
  if (state.format !== 'clapjs-checkpoint' || weights.length < expected) {
    throw new TrainerError(
      'CHECKPOINT_CORRUPT',
      `The checkpoint at ${dir} is damaged: weights.bin holds ${weights.length} values, ${STATE_FILE} expects ${expected}. Resume from an earlier one (clapjs train --resume <step> or --resume <checkpoint dir>).`,
    );
  }
  const byPath = new Map(state.weights.map((e) => [e.path, e]));
  let optimizer: OptimizerState | undefined;
  if (state.optimizer !== undefined && moments !== undefined) {
    const map = new Map<string, { m: Float32Array; v: Float32Array }>();
    const entries = new Map(state.optimizer.moments.map((e) => [e.path, e]));
    for (const [key, e] of entries) {
      if (!key.endsWith('#m')) continue;
      const path = key.slice(0, -2);
      const ve = entries.get(`${path}#v`);
      if (ve === undefined) continue;
      map.set(path, {
        m: moments.slice(e.offset, e.offset + e.length),
        v: moments.slice(ve.offset, ve.offset + ve.length),
      });
    }
    optimizer = { t: state.optimizer.t, moments: map };
  }
  const data = weights;
  const { optimizer: _saved, weights: _entries, ...meta } = state;
  return {
    ...meta,
    dir,
    ...(optimizer === undefined ? {} : { optimizer }),
    restoreWeights(variables) {
      for (const v of variables) {
        const e = byPath.get(v.path);
        if (e === undefined || e.length !== v.variable.size) {
          throw new TrainerError(
            'CHECKPOINT_MISMATCH',
            `The checkpoint at ${dir} has no weight "${v.path}" of size ${v.variable.size}; it was written for a different model.`,
          );
        }
        tf.tidy(() =>
          v.variable.assign(
            tf.tensor(data.subarray(e.offset, e.offset + e.length), v.variable.shape),
          ),
        );
      }
    },
  };
}

/** Complete checkpoints (`step-NNNNNNNN`) under `root`, oldest first. Temporary directories are ignored. */
export async function listCheckpoints(root: string): Promise<{ step: number; dir: string }[]> {
  if (!existsSync(root)) return [];
  const names = await readdir(root);
  return names
    .map((name) => ({ name, match: /^step-(\d+)$/.exec(name) }))
    .filter((x) => x.match !== null && existsSync(join(root, x.name, STATE_FILE)))
    .map((x) => ({ step: Number(x.match?.[1]), dir: join(root, x.name) }))
    .sort((a, b) => a.step - b.step);
}

/** The directory name of the checkpoint for a step. */
export function checkpointName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

/**
 * Deletes a checkpoint so that a kill at any moment leaves it either complete or invisible: it is
 * first renamed to a temporary name (which {@link removeStaleTemporaries} clears), then removed.
 */
export async function removeCheckpoint(dir: string): Promise<void> {
  const parent = join(dir, '..');
  const doomed = join(parent, `${TMP_PREFIX}removed-${dir.split(/[\\/]/).pop() ?? 'ckpt'}`);
  await rm(doomed, { recursive: true, force: true });
  await rename(dir, doomed);
  await rm(doomed, { recursive: true, force: true });
}

/**
 * Removes what interrupted writes and deletions left: temporary directories, and `step-N`
 * directories without their state file (a deletion killed half-way by an older version).
 */
export async function removeStaleTemporaries(root: string): Promise<void> {
  if (!existsSync(root)) return;
  for (const name of await readdir(root)) {
    const incomplete = /^step-\d+$/.test(name) && !existsSync(join(root, name, STATE_FILE));
    if (name.startsWith(TMP_PREFIX) || incomplete)
      await rm(join(root, name), { recursive: true, force: true });
  }
}
