import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type { NamedVariable, PartConfig } from '@clapjs/core';
import { TrainerError } from './errors.js';
import { ABORT, ARRIVED, makeLayout, shardRanges } from './gradient-protocol.js';
import type {
  InitMessage,
  Layout,
  SharedBuffers,
  StepMessage,
  StepTimings,
  WorkerReply,
} from './gradient-protocol.js';
import type { Batch, TrainableModel } from './types.js';

/** How to start a {@link GradientPool}. */
export interface GradientPoolOptions {
  /** Number of gradient workers (≥ 2). */
  readonly workers: number;
  /** The tfjs backend the workers select (the main thread's). */
  readonly backend: string;
  /** Module URLs or absolute paths each worker imports before selecting the backend. */
  readonly setup: readonly string[];
  /** The loss plugin config the workers build. */
  readonly loss: PartConfig;
  /** The model loader module each worker imports (see TrainerOptions.modelLoader). */
  readonly loader: string;
  /** The worker script (dist/gradient-worker.js). */
  readonly script: string | URL;
}

interface Pending {
  resolve(reply: WorkerReply): void;
  reject(error: Error): void;
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? String(error)) : String(error);
}

/**
 * Data-parallel gradients on worker_threads: each worker holds a copy of the model (loaded from a
 * temporary `save`), receives the weights through shared memory before every step, and computes
 * the full-batch loss's gradient along its contiguous shard of the batch (see gradient-worker.ts).
 * The pool sums the workers' gradients (the similarity's from worker 0 only, where it is already
 * complete) and averages their BatchNorm moving statistics into the main thread's model.
 */
export class GradientPool {
  private readonly pending: (Pending | undefined)[];
  private failure: TrainerError | undefined;
  private closing = false;
  private embeddings = new SharedArrayBuffer(4);
  private input = new SharedArrayBuffer(4);
  /** Reused gradient sums (wasm copies a tensor's values into its heap, so they can be). */
  private readonly sums: (Float32Array | undefined)[] = [];
  private nextId = 0;
  private dim = 0;
  /** Where the last step's time went: each worker's phases, and this thread's (ms). */
  lastTimings:
    | {
        readonly workers: readonly StepTimings[];
        readonly prepare: number;
        readonly collect: number;
      }
    | undefined;

  private constructor(
    private readonly workers: readonly Worker[],
    private readonly variables: readonly NamedVariable[],
    private readonly layout: Layout,
    private readonly buffers: SharedBuffers,
    private readonly reuseSums: boolean,
  ) {
    this.pending = workers.map(() => undefined);
    workers.forEach((worker, k) => {
      worker.on('message', (reply: WorkerReply) => this.onReply(k, reply));
      worker.on('error', (error) => this.fail(k, describe(error)));
      worker.on('exit', (code) => {
        if (!this.closing) this.fail(k, `it exited (code ${code})`);
      });
      worker.unref();
    });
  }

  /**
   * Saves the model to a temporary directory, starts the workers and waits until each has loaded
   * it (the directory is removed once they have).
   * @throws TrainerError `WORKER_FAILED` naming the worker and the cause (a setup module that
   * cannot be imported, a backend that does not load, a model that does not load)
   */
  static async start(model: TrainableModel, options: GradientPoolOptions): Promise<GradientPool> {
    if (model.save === undefined) {
      throw new TrainerError(
        'TRAINER_OPTIONS',
        'Trainer: workers > 1 needs a model with save(dir) (a ClapModel): the workers load their copy from what it writes.',
      );
    }
    const dir = await mkdtemp(join(tmpdir(), 'clapjs-gradient-workers-'));
    let pool: GradientPool | undefined;
    try {
      const modelDir = join(dir, 'model');
      await model.save(modelDir);
      const variables = model.variables();
      // The similarity scores the gathered batch in every worker (the part contract says which
      // variables are its own), so its gradients are complete in each.
      const layout = makeLayout(
        variables,
        new Set(model.similarity.variables().map((v) => v.variable)),
      );
      const k = options.workers;
      const buffers: SharedBuffers = {
        weights: new SharedArrayBuffer(4 * layout.weightSize),
        grads: new SharedArrayBuffer(4 * k * layout.gradSize),
        stats: new SharedArrayBuffer(4 * Math.max(1, k * layout.statSize)),
        hasGrad: new SharedArrayBuffer(Math.max(1, k * layout.trainableCount)),
        control: new SharedArrayBuffer(8),
      };
      // A multi-threaded kernel pack (@clapjs/kernels-native: oneDNN over OpenMP) would use every
      // core in every worker: K workers × all cores oversubscribe the machine. Each worker gets its
      // share of the cores unless the user chose (CLAPJS_NATIVE_THREADS, read by the pack).
      const share = String(Math.max(1, Math.floor(availableParallelism() / k)));
      const env = {
        ...process.env,
        CLAPJS_NATIVE_THREADS: process.env.CLAPJS_NATIVE_THREADS ?? share,
      };
      const workers = Array.from({ length: k }, () => new Worker(options.script, { env }));
      pool = new GradientPool(workers, variables, layout, buffers, options.backend === 'wasm');
      const replies = await Promise.all(
        workers.map((_, index) => {
          const init: InitMessage = {
            type: 'init',
            index,
            count: k,
            backend: options.backend,
            setup: options.setup,
            modelDir,
            loader: options.loader,
            loss: options.loss,
            layout,
            buffers,
          };
          return pool!.request(index, init);
        }),
      );
      pool.dim = replies[0]?.type === 'ready' ? replies[0].dim : 0;
      return pool;
    } catch (error) {
      await pool?.close();
      throw error;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Number of workers. */
  get size(): number {
    return this.workers.length;
  }

  private onReply(k: number, reply: WorkerReply): void {
    if (reply.type === 'error') {
      this.fail(k, reply.message);
      return;
    }
    const pending = this.pending[k];
    this.pending[k] = undefined;
    this.workers[k]?.unref();
    pending?.resolve(reply);
  }

  /** Records the first failure, releases the others from the barrier and rejects every request. */
  private fail(k: number, cause: string): void {
    if (this.closing && this.failure === undefined) return;
    this.failure ??= new TrainerError(
      'WORKER_FAILED',
      `Gradient worker ${k} of ${this.workers.length} failed: ${cause.replace(/\.+$/, '')}. ` +
        'Check that the setup modules (workerSetup: kernel packs, plugin packages) and the modelLoader import in a worker thread, or train with workers: 1.',
    );
    const control = new Int32Array(this.buffers.control);
    Atomics.store(control, ABORT, 1);
    Atomics.notify(control, ARRIVED);
    this.pending.forEach((p, i) => {
      this.pending[i] = undefined;
      p?.reject(this.failure!);
    });
  }

  private request(k: number, message: InitMessage | StepMessage): Promise<WorkerReply> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending[k] = { resolve, reject };
      // Referenced only while a reply is awaited: an idle pool never keeps the process alive.
      this.workers[k]!.ref();
      this.workers[k]!.postMessage(message);
    });
  }

  /**
   * The gradients of the loss on `batch` for every trainable variable that has one, keyed by tfjs
   * variable name (as tf.variableGrads returns), and the loss. The caller disposes both.
   * @throws TrainerError `TRAINER_OPTIONS` when the batch has fewer items than workers;
   * `WORKER_FAILED` when a worker fails
   */
  async gradients(batch: Batch): Promise<{ value: tf.Scalar; grads: tf.NamedTensorMap }> {
    if (this.failure !== undefined) throw this.failure;
    const count = this.workers.length;
    const batchSize = batch.captions.length;
    if (batchSize < count) {
      throw new TrainerError(
        'TRAINER_OPTIONS',
        `Trainer: ${count} gradient workers need at least ${count} items per batch, but this batch has ${batchSize}. Lower workers or raise the batch size.`,
      );
    }
    const t0 = performance.now();
    const { entries } = this.layout;
    const weights = new Float32Array(this.buffers.weights);
    // Asynchronous reads, as the trainer's: some backends (webgpu in Node) have no dataSync.
    const values = await Promise.all(this.variables.map((v) => v.variable.data()));
    entries.forEach((e, i) => weights.set(values[i] as Float32Array, e.offset));
    const embeddingBytes = 4 * 2 * batchSize * this.dim;
    if (this.embeddings.byteLength < embeddingBytes)
      this.embeddings = new SharedArrayBuffer(embeddingBytes);
    if (this.input.byteLength < batch.logMel.byteLength)
      this.input = new SharedArrayBuffer(batch.logMel.byteLength);
    new Float32Array(this.input).set(batch.logMel);
    Atomics.store(new Int32Array(this.buffers.control), ARRIVED, 0);
    const id = this.nextId++;
    const prepare = performance.now() - t0;
    const replies = await Promise.all(
      shardRanges(batchSize, count).map(({ start, rows }, k) => {
        const step: StepMessage = {
          type: 'step',
          id,
          logMel: this.input,
          frames: batch.frames,
          melBins: batch.melBins,
          captions: batch.captions.slice(start, start + rows),
          rowStart: start,
          batchSize,
          embeddings: this.embeddings,
        };
        return this.request(k, step);
      }),
    );
    const t1 = performance.now();
    const first = replies[0];
    const loss = first?.type === 'done' ? first.loss : NaN;
    const grads = this.collect();
    this.lastTimings = {
      workers: replies.flatMap((r) => (r.type === 'done' ? [r.timings] : [])),
      prepare,
      collect: performance.now() - t1,
    };
    return { value: tf.scalar(loss), grads };
  }

  /** Sums the gradient slabs into tensors and writes the averaged moving statistics back. */
  private collect(): tf.NamedTensorMap {
    const count = this.workers.length;
    const { entries, gradSize, statSize, trainableCount } = this.layout;
    const slabs = new Float32Array(this.buffers.grads);
    const stats = new Float32Array(this.buffers.stats);
    const hasGrad = new Uint8Array(this.buffers.hasGrad);
    const grads: tf.NamedTensorMap = {};
    let t = 0;
    entries.forEach((entry, i) => {
      const variable = this.variables[i]!.variable;
      if (entry.trainable) {
        // The similarity's parameters see the whole batch in every worker: worker 0's gradient is complete.
        const contributors = entry.wholeBatch ? 1 : count;
        let sum: Float32Array | undefined;
        for (let k = 0; k < contributors; k++) {
          if (hasGrad[k * trainableCount + t] !== 1) continue;
          const base = k * gradSize + entry.gradOffset;
          if (sum === undefined) {
            sum = this.reuseSums
              ? (this.sums[i] ??= new Float32Array(entry.size))
              : new Float32Array(entry.size);
            sum.set(slabs.subarray(base, base + entry.size));
          } else {
            for (let j = 0; j < entry.size; j++) sum[j]! += slabs[base + j]!;
          }
        }
        if (sum !== undefined) grads[variable.name] = tf.tensor(sum, [...entry.shape]);
        t += 1;
      } else {
        const mean = new Float32Array(entry.size);
        for (let j = 0; j < entry.size; j++) {
          let s = 0;
          for (let k = 0; k < count; k++) s += stats[k * statSize + entry.statOffset + j]!;
          mean[j] = s / count;
        }
        tf.tidy(() => variable.assign(tf.tensor(mean, [...entry.shape])));
      }
    });
    return grads;
  }

  /** Stops the workers (idempotent). */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
