import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LogMelConfig, SpecAugmentOptions } from '@clapjs/audio';
import type { PartConfig } from '@clapjs/core';
import { CorruptAudioError, DatasetError } from '../errors.js';
import type { FeatureStats, PadMode } from './features.js';
import type { Loaded } from './item-loader.js';

/** What each worker rebuilds: the dataset (through the plugin registry) and the front end. */
export interface WorkerInit {
  readonly dataset: PartConfig;
  readonly root: string;
  /** Modules to import first (packages that register third-party dataset plugins). */
  readonly imports: readonly string[];
  readonly frontEnd: LogMelConfig;
  readonly padMode: PadMode;
  readonly cacheDir: string | undefined;
  readonly augment: SpecAugmentOptions | undefined;
  readonly onCorrupt: 'skip' | 'fail';
}

/** A request to a worker. */
export interface WorkerRequest {
  readonly id: number;
  readonly index: number;
  readonly epoch: number | null;
  readonly seed: number;
}

/** A worker's answer. */
export interface WorkerResponse {
  readonly id: number;
  readonly loaded?: Loaded;
  readonly error?: { name: string; code?: string; message: string; itemId?: string };
  readonly stats: FeatureStats;
}

function workerScript(): URL {
  // dist/index.js → dist/loader-worker.js; src/loader/*.ts (tests) → the built dist/loader-worker.js.
  for (const relative of ['./loader-worker.js', '../../dist/loader-worker.js']) {
    const url = new URL(relative, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new DatasetError(
    'DATASET_WORKER_MISSING',
    'The DataLoader worker script (dist/loader-worker.js) is missing; build @clapjs/data (pnpm --filter @clapjs/data build) or use workers: 0.',
  );
}

function revive(error: NonNullable<WorkerResponse['error']>): Error {
  const revived =
    error.name === 'CorruptAudioError'
      ? new CorruptAudioError(error.itemId ?? '?', 'worker', new Error(error.message))
      : error.code !== undefined
        ? new DatasetError(error.code, error.message)
        : new Error(error.message);
  revived.message = error.message;
  return revived;
}

/**
 * Worker threads that load items (decode, synthesise, log-mel) off the main thread, so that with a
 * spare core the next batch is made while the training step runs. Each worker rebuilds the
 * dataset from its config; results are the same as on the main thread (same seeds).
 */
export class WorkerPool {
  private readonly workers: { worker: Worker; pending: number; stats: FeatureStats }[] = [];
  private readonly waiting = new Map<
    number,
    { resolve: (l: Loaded) => void; reject: (e: Error) => void; slot: number }
  >();
  private nextId = 0;

  constructor(count: number, init: WorkerInit) {
    const script = workerScript();
    for (let k = 0; k < count; k++) {
      const worker = new Worker(script, { workerData: init });
      const slot = { worker, pending: 0, stats: { computed: 0, cacheHits: 0 } };
      worker.on('message', (response: WorkerResponse) => {
        slot.stats = response.stats;
        const waiter = this.waiting.get(response.id);
        if (waiter === undefined) return;
        this.waiting.delete(response.id);
        this.settled(slot);
        if (response.error !== undefined) waiter.reject(revive(response.error));
        else waiter.resolve(response.loaded as Loaded);
      });
      worker.on('error', (error) => {
        for (const [id, waiter] of this.waiting) {
          if (waiter.slot !== k) continue;
          this.waiting.delete(id);
          waiter.reject(
            new DatasetError(
              'DATASET_WORKER_FAILED',
              `A DataLoader worker failed: ${error.message}. Use workers: 0 to load on the main thread and see the error there.`,
              {},
              { cause: error },
            ),
          );
        }
      });
      // Idle workers must not keep the process alive; busy ones must (the main thread awaits them).
      worker.unref();
      this.workers.push(slot);
    }
  }

  /** Cache hits and computations summed over the workers. */
  get stats(): FeatureStats {
    return this.workers.reduce(
      (sum, w) => ({
        computed: sum.computed + w.stats.computed,
        cacheHits: sum.cacheHits + w.stats.cacheHits,
      }),
      { computed: 0, cacheHits: 0 },
    );
  }

  /** Loads one item on the least busy worker. */
  load(index: number, epoch: number | undefined, seed: number): Promise<Loaded> {
    let k = 0;
    this.workers.forEach((w, j) => {
      if (w.pending < (this.workers[k] as (typeof this.workers)[number]).pending) k = j;
    });
    const slot = this.workers[k] as (typeof this.workers)[number];
    if (slot.pending++ === 0) slot.worker.ref();
    const id = this.nextId++;
    return new Promise<Loaded>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, slot: k });
      slot.worker.postMessage({ id, index, epoch: epoch ?? null, seed } satisfies WorkerRequest);
    });
  }

  private settled(slot: (typeof this.workers)[number]): void {
    if (--slot.pending === 0) slot.worker.unref();
  }

  /** Stops the workers; items still in flight are rejected. */
  async close(): Promise<void> {
    for (const [id, waiter] of this.waiting) {
      this.waiting.delete(id);
      waiter.reject(
        new DatasetError(
          'DATASET_LOADER_CLOSED',
          'The DataLoader was closed while items were loading.',
        ),
      );
    }
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
