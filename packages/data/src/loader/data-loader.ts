import type { LogMelExtractor, SpecAugmentOptions } from '@clapjs/audio';
import { Rng } from '@clapjs/core';
import type { Dataset, Split } from '@clapjs/core';
import { DatasetError } from '../errors.js';
import { mixSeed } from '../hash.js';
import { isSplitIndexed } from '../list-dataset.js';
import { LogMelCache } from './cache.js';
import { FeatureMaker } from './features.js';
import { loadItem } from './item-loader.js';
import type { Loaded } from './item-loader.js';
import { WorkerPool } from './worker-pool.js';
import type { FeatureStats, PadMode } from './features.js';

/** A batch of clips as log-mel spectrograms with one caption each. */
export interface Batch {
  /** B × frames × melBins values, row-major (the audio encoder's `[B, frames, melBins, 1]`). */
  readonly logMel: Float32Array;
  readonly frames: number;
  readonly melBins: number;
  /** One caption per clip (a random one per epoch in training, the first in evaluation). */
  readonly captions: string[];
  /** Every caption of each clip (for retrieval metrics over several references). */
  readonly allCaptions: (readonly string[])[];
  readonly ids: string[];
  readonly labels: (string | undefined)[];
  /** Dataset indices of the clips. */
  readonly indices: number[];
}

/** Options of {@link DataLoader}. */
export interface DataLoaderOptions {
  /** Clips per batch. */
  readonly batchSize: number;
  /** Fixes the shuffles, caption choices, crops and augmentation. */
  readonly seed: number;
  /** Only items of this split (items without one count as train); default: every item. */
  readonly split?: Split;
  /** The front end: its sample rate, clip length and log-mel settings. */
  readonly frontEnd: LogMelExtractor;
  /** Where to cache log-mel spectrograms (content-hashed); default: no cache. */
  readonly cacheDir?: string;
  /** Batches prepared ahead of the consumer (default 2; 0 = none). */
  readonly prefetch?: number;
  /** Corrupt audio: skip it and count it in `loader.skipped` (default), or throw. */
  readonly onCorrupt?: 'skip' | 'fail';
  /** SpecAugment settings for training batches; default: none. */
  readonly augment?: SpecAugmentOptions;
  /** How clips shorter than the clip length are padded (default 'repeat-pad', as LAION-CLAP). */
  readonly padMode?: PadMode;
  /**
   * Worker threads that load items off the main thread (default 0: load on the main thread).
   * Each rebuilds the dataset from `dataset.getConfig()` through the plugin registry, so the
   * dataset must come from a registered plugin. Results are identical either way.
   */
  readonly workers?: number;
  /** The root the workers rebuild the dataset with (the context root it was created with). */
  readonly workerRoot?: string;
  /** Modules the workers import first: packages that register third-party dataset plugins. */
  readonly workerImports?: readonly string[];
}

/** Where a loader is: enough to continue with exactly the same data order after a restart. */
export interface LoaderState {
  readonly seed: number;
  readonly epoch: number;
  /** Items of the epoch's order already consumed (including skipped ones). */
  readonly position: number;
  readonly skipped: number;
}

interface Produced {
  readonly batch: Batch | undefined;
  readonly epoch: number;
  readonly position: number;
  /** Items found corrupt while making it (counted when the consumer takes it). */
  readonly skippedIds: string[];
}

/**
 * Feeds training: a seeded shuffle per epoch, fixed-size batches (the incomplete last batch of an
 * epoch is dropped), a random caption per clip per epoch, decode → resample → pad → log-mel
 * (cached on disk by content hash) → random crop → optional SpecAugment, prepared `prefetch`
 * batches ahead. Every random choice derives from (seed, epoch, item), so the order and content
 * of batches depend only on the seed and the {@link LoaderState}, never on timing.
 *
 * `for await (const batch of loader)` runs the rest of the current epoch; {@link DataLoader.next}
 * streams across epochs; {@link DataLoader.evalBatches} iterates a split in order, centre-cropped,
 * without augmentation, keeping the last partial batch.
 * @example
 * const loader = new DataLoader(dataset, { batchSize: 32, seed: 1, split: 'train', frontEnd: new LogMelExtractor(getPreset('fast')) });
 * for await (const batch of loader) train(batch);
 */
export class DataLoader {
  /** Items skipped as corrupt so far (`onCorrupt: 'skip'`). */
  skipped = 0;
  /** Ids of the skipped items (the first 100). */
  readonly skippedIds: string[] = [];
  private readonly features: FeatureMaker;
  private readonly pool: WorkerPool | undefined;
  private readonly indices: Promise<number[]>;
  private seed: number;
  private epoch = 0;
  private position = 0;
  private queue: Promise<Produced>[] = [];
  /** Where the producer continues (ahead of `epoch`/`position` by the queued batches). */
  private ahead = { epoch: 0, position: 0 };
  private generation = 0;

  /** @throws DatasetError when the batch size is not a positive integer */
  constructor(
    private readonly dataset: Dataset,
    private readonly options: DataLoaderOptions,
  ) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
      throw new DatasetError(
        'DATASET_CONFIG_INVALID',
        `DataLoader batchSize must be a positive integer, got ${options.batchSize}.`,
      );
    }
    this.seed = options.seed;
    this.features = new FeatureMaker(
      options.frontEnd,
      options.padMode ?? 'repeat-pad',
      options.cacheDir === undefined ? undefined : new LogMelCache(options.cacheDir),
    );
    const workers = options.workers ?? 0;
    if (!Number.isInteger(workers) || workers < 0) {
      throw new DatasetError(
        'DATASET_CONFIG_INVALID',
        `DataLoader workers must be a non-negative integer, got ${workers}.`,
      );
    }
    this.pool =
      workers === 0
        ? undefined
        : new WorkerPool(workers, {
            dataset: dataset.getConfig(),
            root: options.workerRoot ?? process.cwd(),
            imports: options.workerImports ?? [],
            frontEnd: options.frontEnd.config,
            padMode: options.padMode ?? 'repeat-pad',
            cacheDir: options.cacheDir,
            augment: options.augment,
            onCorrupt: options.onCorrupt ?? 'skip',
          });
    this.indices = this.splitIndices(options.split);
    // Reported when the consumer first awaits; avoids an unhandled rejection before that.
    this.indices.catch(() => undefined);
  }

  /** Cache hits and computations so far (worker threads included). */
  get stats(): Readonly<FeatureStats> {
    const own = this.features.stats;
    const workers = this.pool?.stats ?? { computed: 0, cacheHits: 0 };
    return {
      computed: own.computed + workers.computed,
      cacheHits: own.cacheHits + workers.cacheHits,
    };
  }

  /** Stops the worker threads, if any (idle workers never keep the process alive). */
  async close(): Promise<void> {
    await this.pool?.close();
  }

  /** Full batches per epoch. */
  async batchesPerEpoch(): Promise<number> {
    return Math.floor((await this.indices).length / this.options.batchSize);
  }

  /** The state to save with a checkpoint (what the consumer has received, not what is prefetched). */
  getState(): LoaderState {
    return { seed: this.seed, epoch: this.epoch, position: this.position, skipped: this.skipped };
  }

  /** Restores a state from {@link DataLoader.getState}; prefetched batches are discarded. */
  setState(state: LoaderState): void {
    for (const key of ['seed', 'epoch', 'position', 'skipped'] as const) {
      if (!Number.isInteger(state[key]) || state[key] < 0) {
        throw new DatasetError(
          'DATASET_STATE_INVALID',
          `Loader state field "${key}" must be a non-negative integer, got ${String(state[key])}. Pass an object from loader.getState().`,
        );
      }
    }
    this.seed = state.seed;
    this.epoch = state.epoch;
    this.position = state.position;
    this.skipped = state.skipped;
    this.ahead = { epoch: state.epoch, position: state.position };
    this.queue = [];
    this.generation++;
  }

  /** The next training batch, continuing into the next epoch when one ends. */
  async next(): Promise<Batch> {
    for (let emptyEpochs = 0; ;) {
      const produced = await this.take();
      if (produced.batch !== undefined) return produced.batch;
      if (++emptyEpochs > 1) {
        throw new DatasetError(
          'DATASET_EMPTY',
          `Every item of ${this.describe()} was skipped as corrupt (${this.skipped} skipped); fix or remove the audio files.`,
        );
      }
    }
  }

  /** The batches of the rest of the current epoch. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
    const epoch = this.epoch;
    while (this.epoch === epoch) {
      const produced = await this.take();
      if (produced.batch === undefined) return;
      yield produced.batch;
    }
  }

  /**
   * Iterates a split (default: the loader's) in dataset order: no shuffle, first caption,
   * centre crop, no augmentation, the last partial batch kept. Does not touch the training state.
   */
  async *evalBatches(
    split: Split | undefined = this.options.split,
    batchSize = this.options.batchSize,
  ): AsyncGenerator<Batch> {
    const indices =
      split === this.options.split ? await this.indices : await this.splitIndices(split);
    for (let at = 0; at < indices.length; at += batchSize) {
      const made = await this.makeBatch(indices.slice(at, at + batchSize), undefined);
      this.countSkipped(made.skippedIds);
      if (made.batch !== undefined) yield made.batch;
    }
  }

  private describe(): string {
    return `the ${this.dataset.name} dataset${this.options.split === undefined ? '' : ` (split "${this.options.split}")`}`;
  }

  private async splitIndices(split: Split | undefined): Promise<number[]> {
    let indices: number[];
    if (split === undefined) indices = Array.from({ length: this.dataset.size }, (_, i) => i);
    else if (isSplitIndexed(this.dataset)) indices = this.dataset.indicesFor(split);
    else {
      indices = [];
      for (let i = 0; i < this.dataset.size; i++)
        if (((await this.dataset.get(i)).split ?? 'train') === split) indices.push(i);
    }
    if (indices.length === 0) {
      throw new DatasetError(
        'DATASET_EMPTY',
        `${split === undefined ? `The ${this.dataset.name} dataset` : `Split "${split}" of the ${this.dataset.name} dataset`} has no items. Check the dataset's split column or pick another split.`,
      );
    }
    return indices;
  }

  private async order(epoch: number): Promise<number[]> {
    return new Rng(mixSeed(this.seed, epoch, 0x0bde)).shuffle([...(await this.indices)]);
  }

  /** Takes the next produced batch (undefined batch = the epoch ended) and refills the queue. */
  private async take(): Promise<Produced> {
    if (this.queue.length === 0) this.queue.push(this.produce(this.generation));
    const produced = await (this.queue.shift() as Promise<Produced>);
    this.epoch = produced.epoch;
    this.position = produced.position;
    this.countSkipped(produced.skippedIds);
    // prefetch 0: nothing ahead; the next take() makes its batch on demand.
    const depth = Math.max(0, this.options.prefetch ?? 2);
    while (this.queue.length < depth) this.queue.push(this.produce(this.generation));
    for (const p of this.queue) p.catch(() => undefined);
    // Let the next batch send its items to the workers before the consumer's (synchronous) step.
    if (this.pool !== undefined) await new Promise((resolve) => setImmediate(resolve));
    return produced;
  }

  /**
   * Makes the batch at the producer's cursor. Calls chain through `previous` so batches are made
   * in order (a skipped item shifts the next batch's start) while the consumer works.
   */
  private produce(generation: number): Promise<Produced> {
    const previous = this.chain;
    const next = (async (): Promise<Produced> => {
      await previous.catch(() => undefined);
      const { epoch } = this.ahead;
      let { position } = this.ahead;
      const stale = (): boolean => generation !== this.generation;
      const skippedIds: string[] = [];
      const order = await this.order(epoch);
      const size = this.options.batchSize;
      while (!stale() && order.length - position >= size) {
        const chosen = order.slice(position, position + size);
        position += size;
        const made = await this.makeBatch(chosen, epoch, () => {
          // A corrupt item is replaced by the next one of the order, keeping batches full.
          const extra = order[position];
          if (extra !== undefined) position++;
          return extra;
        });
        skippedIds.push(...made.skippedIds);
        if (made.batch !== undefined) {
          if (!stale()) this.ahead = { epoch, position };
          return { batch: made.batch, epoch, position, skippedIds };
        }
      }
      if (!stale()) this.ahead = { epoch: epoch + 1, position: 0 };
      return { batch: undefined, epoch: epoch + 1, position: 0, skippedIds };
    })();
    this.chain = next;
    return next;
  }

  private chain: Promise<unknown> = Promise.resolve();

  private countSkipped(ids: readonly string[]): void {
    this.skipped += ids.length;
    for (const id of ids) if (this.skippedIds.length < 100) this.skippedIds.push(id);
  }

  /** Loads and transforms items; no batch when corrupt items left too few to fill one. */
  private async makeBatch(
    indices: number[],
    epoch: number | undefined,
    replacement?: () => number | undefined,
  ): Promise<{ batch: Batch | undefined; skippedIds: string[] }> {
    const slots = indices.slice();
    const results = await Promise.all(slots.map((index) => this.load(index, epoch)));
    const skippedIds: string[] = [];
    for (let k = 0; k < results.length; k++) {
      let result = results[k] as Loaded;
      while ('corrupt' in result) {
        skippedIds.push(result.corrupt);
        // Training keeps batches full with the next items of the order; evaluation drops the clip.
        const extra = replacement?.();
        if (extra === undefined) break;
        slots[k] = extra;
        result = await this.load(extra, epoch);
      }
      results[k] = result;
      if ('corrupt' in result && replacement !== undefined) return { batch: undefined, skippedIds };
    }
    const good = results.flatMap((r, k) =>
      'corrupt' in r ? [] : [{ ...r, index: slots[k] as number }],
    );
    const first = good[0];
    if (first === undefined) return { batch: undefined, skippedIds };
    const { frames, melBins } = first;
    const logMel = new Float32Array(good.length * frames * melBins);
    good.forEach((r, k) => logMel.set(r.logMel, k * frames * melBins));
    const batch: Batch = {
      logMel,
      frames,
      melBins,
      captions: good.map((r) => r.caption),
      allCaptions: good.map((r) => r.item.captions),
      ids: good.map((r) => r.item.id),
      labels: good.map((r) => r.item.label),
      indices: good.map((r) => r.index),
    };
    return { batch, skippedIds };
  }

  private load(index: number, epoch: number | undefined): Promise<Loaded> {
    if (this.pool !== undefined) return this.pool.load(index, epoch, this.seed);
    const options = {
      seed: this.seed,
      augment: this.options.augment,
      onCorrupt: this.options.onCorrupt ?? 'skip',
    } as const;
    return loadItem(this.dataset, this.features, options, index, epoch);
  }
}
