import type { ByteSource } from './byte-source.js';
import type { TensorData } from './convert.js';
import { CheckpointError } from './errors.js';
import type { TorchDtype } from './pickle-values.js';
import type { TopLevelEntry } from './tree.js';

/** The file formats {@link openCheckpoint} reads. */
export type CheckpointFormat =
  'torch-zip' | 'torch-legacy' | 'safetensors' | 'safetensors-sharded' | 'torch-zip-sharded';

/** A tensor's element type and shape, known without reading its data. */
export interface TensorInfo {
  readonly dtype: TorchDtype;
  readonly shape: readonly number[];
}

/** Options of {@link openCheckpoint}. */
export interface OpenCheckpointOptions {
  /**
   * Which part of the checkpoint to list: a top-level key or dotted path (e.g. `'model'`,
   * `'state_dict'`), `'auto'` to let {@link findStateDict} pick the weights, or `''` (the
   * default) for every tensor of the file, named by its full dotted path.
   */
  readonly root?: string;
  /** A prefix removed from the names that have it, e.g. `'module.'` (DataParallel). */
  readonly stripPrefix?: string;
}

/**
 * A checkpoint opened for lazy reading: names, dtypes and shapes come from the file's index
 * (zip directory + pickle, or safetensors header); {@link CheckpointReader.read} reads the
 * bytes of one tensor only.
 */
export interface CheckpointReader {
  readonly path: string;
  readonly format: CheckpointFormat;
  /** The keys of the file's outermost dict, with the tensors under each and scalar values. */
  readonly topLevel: readonly TopLevelEntry[];
  /** The dotted path whose tensors `names()` lists (`''`: the whole file). */
  readonly root: string;
  /** The tensor names, in file order, relative to `root` and without the stripped prefix. */
  names(): string[];
  /** Whether the reader lists `name`. */
  has(name: string): boolean;
  /**
   * dtype and shape of one tensor; reads nothing.
   * @throws CheckpointError (`TENSOR_NOT_FOUND`)
   */
  info(name: string): TensorInfo;
  /**
   * Reads one tensor: only the bytes its view spans. Floats (fp64/fp32/fp16/bf16) come back as
   * a Float32Array, integers and bools as an Int32Array, row-major.
   * @throws CheckpointError (`TENSOR_NOT_FOUND`, `TENSOR_INT_RANGE`, `CHECKPOINT_CLOSED`, …)
   */
  read(name: string): Promise<TensorData>;
  /** Bytes read from the file(s) so far, index included. */
  readonly bytesRead: number;
  /** Closes the file handles; later reads throw `CHECKPOINT_CLOSED`. */
  close(): Promise<void>;
}

/** One tensor of an opened file: its info and how to read it. */
export interface TensorEntry extends TensorInfo {
  read(name: string): Promise<TensorData>;
}

/** What a format's opener hands to {@link createReader}. */
export interface OpenedFile {
  readonly path: string;
  readonly format: CheckpointFormat;
  readonly topLevel: readonly TopLevelEntry[];
  readonly tensors: ReadonlyMap<string, TensorEntry>;
  readonly sources: readonly ByteSource[];
}

/** Keys that hold a model's weights next to optimizer state, most specific first. */
const STATE_DICT_KEYS = [
  'state_dict',
  'model_state_dict',
  'model',
  'module',
  'net',
  'network',
  'weights',
  'params',
];

/**
 * Picks the part of a checkpoint that holds the model's weights: `''` when the file is a state
 * dict itself, else the first of `state_dict`, `model_state_dict`, `model`, `module`, `net`,
 * `network`, `weights`, `params` that holds tensors, else the only top-level container with
 * tensors that is not optimizer, scheduler or scaler state.
 * @throws CheckpointError (`STATE_DICT_NOT_FOUND`) listing the top-level keys
 */
export function findStateDict(topLevel: readonly TopLevelEntry[], path = 'checkpoint'): string {
  if (topLevel.length > 0 && topLevel.every((entry) => entry.kind === 'tensor')) return '';
  const containers = topLevel.filter((entry) => entry.kind === 'container' && entry.tensors > 0);
  for (const key of STATE_DICT_KEYS) {
    if (containers.some((entry) => entry.key === key)) return key;
  }
  const candidates = containers.filter(
    (entry) => !/^(optim|sched|lr_sched|scaler|amp)/i.test(entry.key),
  );
  if (candidates.length === 1) return candidates[0]!.key;
  const listing = topLevel.map((entry) => `${entry.key} (${entry.tensors} tensors)`).join(', ');
  throw new CheckpointError(
    'STATE_DICT_NOT_FOUND',
    `${path}: cannot tell which top-level key holds the weights (${listing || 'no keys'}); pass root: '<key>'.`,
  );
}

/** Builds the public reader over an opened file, applying `root` and `stripPrefix`. */
export function createReader(
  file: OpenedFile,
  options: OpenCheckpointOptions = {},
): CheckpointReader {
  const root =
    options.root === 'auto' ? findStateDict(file.topLevel, file.path) : (options.root ?? '');
  const strip = options.stripPrefix ?? '';
  const tensors = new Map<string, TensorEntry>();
  const original = new Map<string, string>();
  for (const [fullName, entry] of file.tensors) {
    if (root !== '' && !fullName.startsWith(`${root}.`) && fullName !== root) continue;
    let name = root === '' ? fullName : fullName.slice(root.length + 1);
    if (strip !== '' && name.startsWith(strip)) name = name.slice(strip.length);
    if (tensors.has(name)) {
      throw new CheckpointError(
        'TENSOR_NAME_CLASH',
        `${file.path}: "${original.get(name)}" and "${fullName}" would both be named "${name}"; open it without stripPrefix.`,
      );
    }
    tensors.set(name, entry);
    original.set(name, fullName);
  }
  if (root !== '' && tensors.size === 0) {
    const keys = file.topLevel.map((entry) => entry.key).join(', ');
    throw new CheckpointError(
      'STATE_DICT_NOT_FOUND',
      `${file.path} holds no tensors under "${root}"; its top-level keys are: ${keys}.`,
    );
  }
  let closed = false;
  const entry = (name: string): TensorEntry => {
    if (closed) {
      throw new CheckpointError('CHECKPOINT_CLOSED', `${file.path} was read after close().`);
    }
    const found = tensors.get(name);
    if (found === undefined) {
      throw new CheckpointError(
        'TENSOR_NOT_FOUND',
        `${file.path} has no tensor "${name}"${root === '' ? '' : ` under "${root}"`} (it has ${tensors.size}, e.g. ${[...tensors.keys()].slice(0, 3).join(', ')}).`,
      );
    }
    return found;
  };
  return {
    path: file.path,
    format: file.format,
    topLevel: file.topLevel,
    root,
    names: () => [...tensors.keys()],
    has: (name) => tensors.has(name),
    info(name) {
      const { dtype, shape } = entry(name);
      return { dtype, shape };
    },
    async read(name) {
      return entry(name).read(original.get(name)!);
    },
    get bytesRead() {
      return file.sources.reduce((sum, source) => sum + source.bytesRead, 0);
    },
    async close() {
      closed = true;
      await Promise.all(file.sources.map((source) => source.close()));
    },
  };
}
