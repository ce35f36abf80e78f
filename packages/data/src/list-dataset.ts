import { existsSync } from 'node:fs';
import type { Dataset, DatasetItem, PartConfig, Split } from '@clapjs/core';
import { DatasetError, emptyDatasetError } from './errors.js';
import { resolveInsideRoot } from './paths.js';
import type { Origin } from './paths.js';
import type { ZeroShotTask } from './synth/dataset.js';

/** The splits, in order. */
export const SPLITS: readonly Split[] = ['train', 'val', 'test'];

/**
 * Datasets of this package can list the indices of a split without loading audio; the loader
 * uses it when present and otherwise reads every item's `split` (missing = `train`).
 */
export interface SplitIndexed {
  indicesFor(split: Split): number[];
}

/** Whether a dataset implements {@link SplitIndexed}. */
export function isSplitIndexed(dataset: Dataset): dataset is Dataset & SplitIndexed {
  return typeof (dataset as Partial<SplitIndexed>).indicesFor === 'function';
}

/** An item without its audio, plus a key that identifies the audio's content. */
export interface ItemInfo extends Omit<DatasetItem, 'audio'> {
  /** Changes whenever the audio would; the loader's log-mel cache is keyed by it. */
  readonly contentKey: string;
}

/**
 * Datasets whose audio is costly to produce but cheap to identify (`synth`) describe items
 * without audio; the loader then reads cached log-mels without producing the audio at all.
 */
export interface InfoIndexed {
  itemInfo(index: number): ItemInfo;
}

/** Whether a dataset implements {@link InfoIndexed}. */
export function isInfoIndexed(dataset: Dataset): dataset is Dataset & InfoIndexed {
  return typeof (dataset as Partial<InfoIndexed>).itemInfo === 'function';
}

/** Datasets that define a held-out zero-shot task over their own clips (`synth`). */
export interface ZeroShotDefining {
  zeroShotTask(): ZeroShotTask;
}

/** Whether a dataset implements {@link ZeroShotDefining}. */
export function hasZeroShotTask(dataset: Dataset): dataset is Dataset & ZeroShotDefining {
  return typeof (dataset as Partial<ZeroShotDefining>).zeroShotTask === 'function';
}

/** Validates a split name from a file. */
export function parseSplit(value: string | undefined, origin: Origin): Split | undefined {
  if (value === undefined) return undefined;
  const split = value.toLowerCase() === 'validation' ? 'val' : value.toLowerCase();
  if ((SPLITS as readonly string[]).includes(split)) return split as Split;
  throw new DatasetError(
    'DATASET_ROW_INVALID',
    `${origin.file ?? 'dataset'}:${origin.line ?? '?'}: split "${value}" is not one of train, val, test. Use one of those (or leave it empty).`,
    origin,
  );
}

/** Options every file-based dataset shares. */
export interface FileOptions {
  readonly allowOutsideRoot: boolean;
  readonly onMissing: 'fail' | 'skip';
}

/**
 * Resolves an audio path of a row, refusing paths outside the root and handling missing files
 * per `onMissing`. Returns undefined for a missing file that is to be skipped.
 */
export function resolveAudioPath(
  root: string,
  path: string,
  options: FileOptions,
  origin: Origin,
): string | undefined {
  const full = resolveInsideRoot(root, path, options.allowOutsideRoot, origin);
  if (existsSync(full)) return full;
  if (options.onMissing === 'skip') return undefined;
  throw new DatasetError(
    'DATASET_FILE_MISSING',
    `${origin.file ?? 'dataset'}${origin.line === undefined ? '' : `:${origin.line}`}: audio file ${full} does not exist. ` +
      `Fix the path (it resolves against the dataset root ${root}), add the file, or set onMissing: 'skip' to leave such rows out.`,
    origin,
  );
}

/** A clip stored as a file, as listed by a manifest-like dataset. */
export interface FileItem {
  readonly id: string;
  readonly path: string;
  readonly captions: readonly string[];
  readonly label?: string;
  readonly split?: Split;
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** A dataset over a fixed list of file items (manifest, ESC-50, Clotho, AudioCaps). */
export class ListDataset<C extends PartConfig = PartConfig> implements Dataset<C>, SplitIndexed {
  readonly name: string;
  readonly size: number;
  /** How many rows were left out because their audio file is missing (`onMissing: 'skip'`). */
  readonly missing: number;
  private readonly items: readonly FileItem[];
  private readonly config: C;

  constructor(config: C, items: readonly FileItem[], missing: number, source: string) {
    if (items.length === 0) {
      throw emptyDatasetError(
        `The ${config.name} dataset at ${source}`,
        missing > 0
          ? `All ${missing} rows point at missing audio files; check the dataset root and the paths.`
          : 'Add rows (audio path + caption) or point the config at the right file.',
        source,
      );
    }
    this.name = config.name;
    this.config = config;
    this.items = items;
    this.size = items.length;
    this.missing = missing;
  }

  getConfig(): C {
    return this.config;
  }

  async get(index: number): Promise<DatasetItem> {
    const item = this.items[checkIndex(index, this.size, this.name)] as FileItem;
    return {
      id: item.id,
      audio: { kind: 'file', path: item.path },
      captions: item.captions,
      ...(item.label === undefined ? {} : { label: item.label }),
      ...(item.split === undefined ? {} : { split: item.split }),
      ...(item.meta === undefined ? {} : { meta: item.meta }),
    };
  }

  indicesFor(split: Split): number[] {
    const out: number[] = [];
    this.items.forEach((item, k) => {
      if ((item.split ?? 'train') === split) out.push(k);
    });
    return out;
  }
}

/** Checks an item index and returns it. */
export function checkIndex(index: number, size: number, name: string): number {
  if (!Number.isInteger(index) || index < 0 || index >= size) {
    throw new DatasetError(
      'DATASET_INDEX_OUT_OF_RANGE',
      `Item index ${index} is out of range for the ${name} dataset (size ${size}); use 0..${size - 1}.`,
    );
  }
  return index;
}
