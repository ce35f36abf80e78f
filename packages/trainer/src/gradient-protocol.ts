// What the main thread and the gradient workers share: the variable layout over the shared
// buffers, the messages, the shard split and the barrier. Imported by both sides.
import type { PartConfig } from '@clapjs/core';

/** Where one variable lives in the shared buffers. */
export interface LayoutEntry {
  readonly path: string;
  readonly shape: readonly number[];
  readonly size: number;
  /** Offset in the weights buffer (every variable). */
  readonly offset: number;
  readonly trainable: boolean;
  /**
   * Whether the variable acts after the workers gather the whole batch (the similarity's): each
   * worker then computes its full gradient, so worker 0's is used instead of the sum.
   */
  readonly wholeBatch: boolean;
  /** Offset in one worker's gradient slab (trainable variables), else -1. */
  readonly gradOffset: number;
  /** Offset in one worker's statistics slab (non-trainable variables), else -1. */
  readonly statOffset: number;
}

/** The variable layout and the sizes of one worker's slabs. */
export interface Layout {
  readonly entries: readonly LayoutEntry[];
  readonly weightSize: number;
  readonly gradSize: number;
  readonly statSize: number;
  readonly trainableCount: number;
}

/**
 * Builds the layout of a model's variables (all of them, in `variables()` order); `wholeBatch`
 * holds the variables that see the whole gathered batch in every worker.
 */
export function makeLayout<V extends { shape: number[]; size: number }>(
  variables: readonly { path: string; trainable: boolean; variable: V }[],
  wholeBatch: ReadonlySet<V> = new Set(),
): Layout {
  let offset = 0;
  let gradOffset = 0;
  let statOffset = 0;
  let trainableCount = 0;
  const entries = variables.map((v) => {
    const size = v.variable.size;
    const entry: LayoutEntry = {
      path: v.path,
      shape: [...v.variable.shape],
      size,
      offset,
      trainable: v.trainable,
      wholeBatch: wholeBatch.has(v.variable),
      gradOffset: v.trainable ? gradOffset : -1,
      statOffset: v.trainable ? -1 : statOffset,
    };
    offset += size;
    if (v.trainable) {
      gradOffset += size;
      trainableCount += 1;
    } else {
      statOffset += size;
    }
    return entry;
  });
  return {
    entries,
    weightSize: offset,
    gradSize: gradOffset,
    statSize: statOffset,
    trainableCount,
  };
}

/** Shared buffers fixed for the pool's life. */
export interface SharedBuffers {
  /** Every variable, written by the main thread before each step (Float32). */
  readonly weights: SharedArrayBuffer;
  /** Worker k's gradients at `k · gradSize` (Float32). */
  readonly grads: SharedArrayBuffer;
  /** Worker k's non-trainable variables after its step at `k · statSize` (Float32). */
  readonly stats: SharedArrayBuffer;
  /** Worker k's "has a gradient" flags at `k · trainableCount` (Uint8). */
  readonly hasGrad: SharedArrayBuffer;
  /** The barrier (Int32): [arrived, abort]. */
  readonly control: SharedArrayBuffer;
}

/** Main → worker, once. */
export interface InitMessage {
  readonly type: 'init';
  readonly index: number;
  readonly count: number;
  /** The main thread's tfjs backend (`tf.getBackend()`). */
  readonly backend: string;
  /** Module URLs imported before the backend is selected (kernel packs, plugin packages). */
  readonly setup: readonly string[];
  /** The directory the model's `save(dir)` wrote. */
  readonly modelDir: string;
  /** The model loader module (URL or absolute path) whose `loadModel` reads `modelDir`. */
  readonly loader: string;
  readonly loss: PartConfig;
  readonly layout: Layout;
  readonly buffers: SharedBuffers;
}

/** Main → worker, per step: this worker's rows of the batch. */
export interface StepMessage {
  readonly type: 'step';
  readonly id: number;
  /** The whole batch's log-mel values (`batchSize × frames × melBins`, Float32), shared. */
  readonly logMel: SharedArrayBuffer;
  readonly frames: number;
  readonly melBins: number;
  readonly captions: readonly string[];
  /** This shard's first row in the batch. */
  readonly rowStart: number;
  readonly batchSize: number;
  /** Audio embeddings at `[0, B·dim)`, text embeddings at `[B·dim, 2·B·dim)` (Float32). */
  readonly embeddings: SharedArrayBuffer;
}

/** Where a worker's step time went (ms). */
export interface StepTimings {
  /** Copying the weights in from shared memory. */
  readonly weights: number;
  /** Forward pass of the shard up to the barrier. */
  readonly forward: number;
  /** Waiting at the barrier for the other workers. */
  readonly wait: number;
  /** Full-batch loss and the backward pass. */
  readonly backward: number;
  /** Copying the gradients and statistics out. */
  readonly output: number;
  /** The worker's `tf.memory().numTensors` after the step (constant across steps: no leak). */
  readonly tensors: number;
}

/** Worker → main. */
export type WorkerReply =
  | { readonly type: 'ready'; readonly dim: number }
  | {
      readonly type: 'done';
      readonly id: number;
      readonly loss: number;
      readonly timings: StepTimings;
    }
  | { readonly type: 'error'; readonly message: string };

/** Control words of the barrier. */
export const ARRIVED = 0;
export const ABORT = 1;

/** Contiguous shards of `batchSize` rows over `count` workers, sizes differing by at most one. */
export function shardRanges(batchSize: number, count: number): { start: number; rows: number }[] {
  const base = Math.floor(batchSize / count);
  const extra = batchSize % count;
  const ranges: { start: number; rows: number }[] = [];
  let start = 0;
  for (let k = 0; k < count; k++) {
    const rows = base + (k < extra ? 1 : 0);
    ranges.push({ start, rows });
    start += rows;
  }
  return ranges;
}

/** Thrown in a worker whose barrier was aborted because another worker failed. */
export class BarrierAborted extends Error {}

/**
 * Arrives at the step's barrier and blocks (synchronously: the caller is inside a gradient tape)
 * until all `count` workers have arrived. The main thread resets `arrived` before each step and
 * sets `abort` when a worker fails, so the others stop waiting instead of hanging.
 */
export function arriveAndWait(control: Int32Array, count: number): void {
  if (Atomics.add(control, ARRIVED, 1) + 1 >= count) {
    Atomics.notify(control, ARRIVED);
    return;
  }
  for (;;) {
    const arrived = Atomics.load(control, ARRIVED);
    if (arrived >= count) return;
    if (Atomics.load(control, ABORT) !== 0)
      throw new BarrierAborted('another gradient worker failed');
    Atomics.wait(control, ARRIVED, arrived, 1000);
  }
}
