import { join } from 'node:path';
import { writeFile, rename, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { create, register } from '@clapjs/core';
import { lossPlugins } from '@clapjs/losses';
import type {
  ContrastiveLoss,
  NamedVariable,
  PartConfig,
  StepInfo,
  TrainerCallback,
} from '@clapjs/core';
import { GradientPool } from './gradient-pool.js';
import { defaultWorkerSetup } from './worker-setup.js';
import {
  checkpointName,
  listCheckpoints,
  removeCheckpoint,
  readCheckpoint,
  removeStaleTemporaries,
  writeCheckpoint,
} from './checkpoint.js';
import { TRAINER_DEFAULTS } from './defaults.js';
import { TrainerError } from './errors.js';
import { evaluate } from './evaluate.js';
import type { EvaluateOptions, EvaluationResult } from './evaluate.js';
import { AdamOptimizer, globalNorm } from './optimizer.js';
import type { AdamOptions } from './optimizer.js';
import { warmupCosine } from './schedule.js';
import type { Batch, BatchSource, StatefulRng, TrainableModel } from './types.js';

/** Options of a {@link Trainer}. */
export interface TrainerOptions {
  /** Total optimizer steps of the run (the schedule's length). */
  readonly steps: number;
  /** Peak learning rate (default 1e-3). */
  readonly lr?: number;
  /** Linear warmup steps (default 5 % of `steps`). */
  readonly warmupSteps?: number;
  /** Learning rate at the end of the cosine (default 0). */
  readonly minLr?: number;
  /** Adam settings (default AdamW, β 0.9/0.999, ε 1e-8, weight decay 0.01). */
  readonly optimizer?: Partial<AdamOptions>;
  /** Clip gradients to this global L2 norm; 0 turns clipping off (default 1). */
  readonly clipNorm?: number;
  /** Stop with an error after this many non-finite steps (default 10). */
  readonly maxBadSteps?: number;
  /** The loss; default: built from `model.config.loss` through the plugin registry. */
  readonly loss?: ContrastiveLoss;
  /** Run directory: checkpoints go to `<outDir>/checkpoints`. */
  readonly outDir?: string;
  /** How many recent checkpoints to keep (default 3); the best one is always kept. */
  readonly keepLast?: number;
  /** A fresh pass over the validation data, for {@link Trainer.validate}. */
  readonly validation?: () => AsyncIterable<Batch>;
  /** Options for validation (templates, classes, maxItems). */
  readonly evaluation?: EvaluateOptions;
  /** The metric that picks the best checkpoint (default `t2a/R@10`, higher is better). */
  readonly bestMetric?: string;
  /** Callbacks, or callback plugin configs (kind `callback`) built with `{ trainer }` as context. */
  readonly callbacks?: readonly (TrainerCallback | PartConfig)[];
  /** Random generators whose state checkpoints save and resume restores (e.g. the model's). */
  readonly rngs?: Readonly<Record<string, StatefulRng>>;
  /**
   * Gradient workers (default 1: everything on this thread). With K ≥ 2, K worker_threads each
   * compute the gradient along a contiguous shard of every batch, against the whole batch's
   * embeddings (the loss sees every negative, as with 1); this thread keeps the model, the
   * optimizer, clipping, the non-finite guard, checkpoints and evaluation. For CPU backends
   * without threads (tfjs-wasm under Node): K = the number of cores. Needs a model with
   * `save(dir)`, a {@link TrainerOptions.modelLoader} and batches of at least K items.
   */
  readonly workers?: number;
  /**
   * With `workers` > 1: the module (URL or absolute path) each gradient worker imports to build
   * its copy of the model from the directory `model.save(dir)` wrote; its `loadModel` export is
   * core's `ModelLoader`. For a ClapModel: `import.meta.resolve('@clapjs/model/load')`.
   */
  readonly modelLoader?: string | URL;
  /**
   * Modules (URLs or absolute paths) each gradient worker imports before selecting the main
   * thread's backend: kernel packs (`@clapjs/kernels-wasm/register`), plugin packages the model
   * config names. Default: for wasm, the kernel packs the main thread loaded, resolved from the
   * main module's and the working directory's node_modules; nothing otherwise.
   */
  readonly workerSetup?: readonly string[];
  /** The gradient worker's script (default: gradient-worker.js beside this module); for bundlers that move files. */
  readonly workerScript?: string | URL;
}

/** What {@link Trainer.fit} returns. */
export interface TrainResult {
  readonly step: number;
  /** The loss of every step run in this process (NaN for skipped steps). */
  readonly losses: readonly number[];
  readonly badSteps: number;
  readonly stopped: boolean;
  readonly reason?: string;
  readonly seconds: number;
}

const BEST_FILE = 'best.json';

function isCallback(x: TrainerCallback | PartConfig): x is TrainerCallback {
  return typeof (x as TrainerCallback).getConfig === 'function';
}

/**
 * Trains a CLAP model: AdamW (or Adam) with warmup + cosine, global-norm clipping, the
 * logit-scale clamp after each step, a guard that skips non-finite steps, callbacks, atomic
 * checkpoints and exact resume (weights, moments, step, schedule, RNG states, data order).
 * @example
 * const trainer = new Trainer(model, loader, { steps: 300, lr: 1e-3, outDir: 'runs/x' });
 * const result = await trainer.fit();
 */
export class Trainer {
  /** The current step (number of steps done). */
  step = 0;
  /** The loss of every step run by this instance. */
  readonly losses: number[] = [];
  private readonly loss: ContrastiveLoss;
  private readonly optimizer: AdamOptimizer;
  private readonly callbacks: TrainerCallback[];
  private badSteps = 0;
  private iterator: AsyncIterator<Batch> | undefined;
  /** The latest evaluation; a checkpoint carries its metrics only when taken at its step. */
  private evaluation: { step: number; metrics: Record<string, number> } | undefined;
  private best: { step: number; value: number } | undefined;
  private stopReason: string | undefined;
  private readonly workers: number;
  private pool: Promise<GradientPool> | undefined;

  constructor(
    readonly model: TrainableModel,
    readonly data: BatchSource,
    readonly options: TrainerOptions,
  ) {
    if (!Number.isInteger(options.steps) || options.steps < 1) {
      throw new TrainerError(
        'TRAINER_OPTIONS',
        `Trainer: steps must be a positive integer, got ${options.steps}.`,
      );
    }
    this.workers = options.workers ?? TRAINER_DEFAULTS.workers;
    if (!Number.isInteger(this.workers) || this.workers < 1) {
      throw new TrainerError(
        'TRAINER_OPTIONS',
        `Trainer: workers must be a positive integer, got ${options.workers}.`,
      );
    }
    if (this.workers > 1 && model.save === undefined) {
      throw new TrainerError(
        'TRAINER_OPTIONS',
        'Trainer: workers > 1 needs a model with save(dir) (a ClapModel): each worker loads its copy from it.',
      );
    }
    if (this.workers > 1 && options.modelLoader === undefined) {
      throw new TrainerError(
        'TRAINER_OPTIONS',
        `Trainer: workers ${this.workers} needs modelLoader, the module each gradient worker loads its copy of the model with ` +
          "(for a ClapModel: modelLoader: import.meta.resolve('@clapjs/model/load')); or train with workers: 1.",
      );
    }
    if (options.loss !== undefined) {
      this.loss = options.loss;
    } else if (model.config.loss !== undefined) {
      // The built-in losses are registered on first use (registering twice is a no-op), so a
      // config naming `symmetric-clap`, `infonce` or `siglip` works without a register import.
      for (const plugin of lossPlugins) register(plugin);
      this.loss = create('loss', model.config.loss, {}, 'loss');
    } else {
      throw new TrainerError(
        'TRAINER_OPTIONS',
        'Trainer: no loss. Give options.loss or a `loss` key in the model config.',
      );
    }
    this.optimizer = new AdamOptimizer(model.variables(), {
      ...TRAINER_DEFAULTS.optimizer,
      ...options.optimizer,
    });
    this.callbacks = (options.callbacks ?? []).map((c) =>
      isCallback(c) ? c : create('callback', c, { trainer: this }, `callbacks.${c.name}`),
    );
  }

  /** The learning rate at a step. */
  learningRate(step: number): number {
    const lr = this.options.lr ?? TRAINER_DEFAULTS.lr;
    return warmupCosine(
      {
        lr,
        warmupSteps:
          this.options.warmupSteps ??
          Math.max(1, Math.round(this.options.steps * TRAINER_DEFAULTS.warmupFraction)),
        totalSteps: this.options.steps,
        minLr: this.options.minLr ?? TRAINER_DEFAULTS.minLr,
      },
      step,
    );
  }

  /** The checkpoint directory (`<outDir>/checkpoints`), if the run has an outDir. */
  get checkpointRoot(): string | undefined {
    return this.options.outDir === undefined ? undefined : join(this.options.outDir, 'checkpoints');
  }

  private async nextBatch(): Promise<Batch> {
    for (let attempt = 0; attempt < 2; attempt++) {
      this.iterator ??= this.data[Symbol.asyncIterator]();
      const next = await this.iterator.next();
      if (next.done !== true) return next.value;
      this.iterator = undefined; // epoch over: the next iteration is the next epoch
    }
    throw new TrainerError(
      'EMPTY_DATA',
      'The training data yielded no batch. Check that the dataset has items in its train split.',
    );
  }

  // Every read from a tensor is asynchronous: WebGPU in Node has no synchronous readback
  // (tfjs-backend-webgpu's dataSync needs an OffscreenCanvas), and elsewhere it avoids a stall.
  private async logitScale(): Promise<number> {
    const scale = this.model.similarity.logitScale();
    try {
      return (await scale.data())[0] ?? NaN;
    } finally {
      scale.dispose();
    }
  }

  /** The loss and gradients of one batch, computed on this thread. */
  private localGradients(batch: Batch): { value: tf.Scalar; grads: tf.NamedTensorMap } {
    const trainable = this.optimizer.variables;
    const batchSize = batch.captions.length;
    return tf.tidy(() => {
      const logMel = tf.tensor4d(batch.logMel, [batchSize, batch.frames, batch.melBins, 1]);
      const tokens = this.model.tokenize(batch.captions);
      return tf.variableGrads(
        () => {
          const out = this.model.forward(logMel, tokens, { training: true });
          return this.loss.call(out.logits, out.audioToTextLogits);
        },
        trainable.map((v) => v.variable),
      );
    });
  }

  /** The gradient workers, started on first use (the model is saved once for them to load). */
  private gradientPool(): Promise<GradientPool> {
    if (this.pool === undefined) {
      const backend = tf.getBackend();
      this.pool = GradientPool.start(this.model, {
        workers: this.workers,
        backend,
        setup: this.options.workerSetup ?? defaultWorkerSetup(backend),
        loss: this.options.loss?.getConfig() ?? (this.model.config.loss as PartConfig),
        loader: String(this.options.modelLoader),
        script: this.options.workerScript ?? new URL('./gradient-worker.js', import.meta.url),
      });
      // A failed start is reported by the step that awaits it; keep it from counting as unhandled.
      this.pool.catch(() => undefined);
    }
    return this.pool;
  }

  /** Stops the gradient workers, if any (the next step starts them again). */
  private async closeWorkers(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.then(
      (p) => p.close(),
      () => undefined,
    );
  }

  /**
   * Runs one optimizer step on one batch (its gradients from the gradient workers when
   * `workers` > 1).
   * @returns the loss (NaN when the step was skipped as non-finite)
   * @throws TrainerError `WORKER_FAILED` when a gradient worker fails; `TRAINER_OPTIONS` when the
   * batch has fewer items than workers
   */
  async trainStep(batch: Batch): Promise<number> {
    const { value, grads } =
      this.workers > 1
        ? await (await this.gradientPool()).gradients(batch)
        : this.localGradients(batch);
    const gradList = Object.values(grads);
    const norm = globalNorm(gradList);
    const [lossData, normData] = await Promise.all([value.data(), norm.data()]);
    const [lossValue, normValue] = [lossData[0] ?? NaN, normData[0] ?? NaN];
    const lr = this.learningRate(this.step);
    if (Number.isFinite(lossValue) && Number.isFinite(normValue)) {
      const clip = this.options.clipNorm ?? TRAINER_DEFAULTS.clipNorm;
      const scale = clip > 0 && normValue > clip ? clip / (normValue + 1e-6) : 1;
      this.optimizer.apply(grads, lr, scale);
      this.model.afterUpdate();
    } else {
      this.badSteps += 1;
      const max = this.options.maxBadSteps ?? TRAINER_DEFAULTS.maxBadSteps;
      if (this.badSteps >= max) {
        tf.dispose([value, norm, ...gradList]);
        throw new TrainerError(
          'NON_FINITE_LOSS',
          `Training stopped at step ${this.step + 1}: ${this.badSteps} steps had a non-finite loss or gradient (loss ${lossValue}, gradient norm ${normValue}); each was skipped. ` +
            'Lower the learning rate, keep gradient clipping on (clipNorm), or check the data for silent or corrupt clips.',
        );
      }
    }
    tf.dispose([value, norm, ...gradList]);
    this.step += 1;
    this.losses.push(Number.isFinite(lossValue) ? lossValue : NaN);
    return Number.isFinite(lossValue) ? lossValue : NaN;
  }

  /** The steps of {@link fit}; true when a callback or {@link requestStop} stopped it. */
  private async loop(until: number): Promise<boolean> {
    let samplesPerSecond = 0;
    while (this.step < until) {
      const t0 = performance.now();
      const batch = await this.nextBatch();
      const lr = this.learningRate(this.step);
      const loss = await this.trainStep(batch);
      const rate = batch.captions.length / Math.max(1e-6, (performance.now() - t0) / 1000);
      samplesPerSecond = samplesPerSecond === 0 ? rate : 0.9 * samplesPerSecond + 0.1 * rate;
      const info: StepInfo = {
        step: this.step,
        totalSteps: this.options.steps,
        loss,
        learningRate: lr,
        samplesPerSecond,
        logitScale: await this.logitScale(),
      };
      for (const c of this.callbacks) await c.onStepEnd?.(info);
      for (const c of this.callbacks) await c.afterStepEnd?.(info);
      if (this.stopReason !== undefined || this.callbacks.some((c) => c.shouldStop?.() === true)) {
        this.stopReason ??=
          `stopped by callback ${this.callbacks.find((c) => c.shouldStop?.())?.name ?? ''}`.trim();
        return true;
      }
    }
    return false;
  }

  /**
   * Trains until `options.steps` (continuing from {@link resume}'s step), calling the callbacks.
   * @throws TrainerError `NON_FINITE_LOSS` after too many skipped steps, `EMPTY_DATA`
   */
  async fit(until = this.options.steps): Promise<TrainResult> {
    const started = performance.now();
    const startStep = this.step;
    for (const c of this.callbacks)
      await c.onTrainBegin?.({ totalSteps: this.options.steps, startStep });
    let stopped: boolean;
    try {
      stopped = await this.loop(until);
    } finally {
      await this.closeWorkers();
    }
    const result: TrainResult = {
      step: this.step,
      losses: [...this.losses],
      badSteps: this.badSteps,
      stopped,
      ...(this.stopReason === undefined ? {} : { reason: this.stopReason }),
      seconds: (performance.now() - started) / 1000,
    };
    for (const c of this.callbacks) {
      await c.onTrainEnd?.({
        step: this.step,
        stopped,
        ...(this.stopReason ? { reason: this.stopReason } : {}),
      });
    }
    return result;
  }

  /** Asks the training loop to stop after the current step. */
  requestStop(reason: string): void {
    this.stopReason = reason;
  }

  /**
   * Evaluates on the validation data, tells the callbacks (`onEvalEnd`) and remembers the metrics
   * for a checkpoint of this step (best-by-validation).
   * @throws TrainerError `TRAINER_OPTIONS` when the trainer has no validation data
   */
  async validate(): Promise<EvaluationResult> {
    if (this.options.validation === undefined) {
      throw new TrainerError(
        'TRAINER_OPTIONS',
        'Trainer.validate: no validation data; pass options.validation.',
      );
    }
    const result = await evaluate(this.model, this.options.validation(), this.options.evaluation);
    this.evaluation = { step: this.step, metrics: { ...result.metrics } };
    for (const c of this.callbacks)
      await c.onEvalEnd?.({ step: this.step, metrics: result.metrics });
    return result;
  }

  private rngStates(): Record<string, readonly number[]> {
    return Object.fromEntries(
      Object.entries(this.options.rngs ?? {}).map(([k, r]) => [k, [...r.getState()]]),
    );
  }

  /**
   * Writes a checkpoint of the current step atomically under `<outDir>/checkpoints`, prunes to
   * the last `keepLast`, and records it as best when its validation metric is the best so far
   * (including a best restored by {@link resume}). It carries metrics only when the current step
   * was evaluated: an earlier evaluation's metrics do not describe these weights.
   * @returns the checkpoint directory
   */
  async saveCheckpoint(extra?: unknown): Promise<string> {
    const root = this.checkpointRoot;
    if (root === undefined)
      throw new TrainerError(
        'TRAINER_OPTIONS',
        'Trainer.saveCheckpoint: set options.outDir to save checkpoints.',
      );
    const dir = join(root, checkpointName(this.step));
    const metrics = this.evaluation?.step === this.step ? this.evaluation.metrics : undefined;
    await writeCheckpoint(dir, this.model.variables(), await this.optimizer.readState(), {
      step: this.step,
      data: this.data.getState(),
      rng: this.rngStates(),
      badSteps: this.badSteps,
      ...(metrics ? { metrics } : {}),
      extra: { config: this.model.config, ...(extra === undefined ? {} : { extra }) },
    });
    const key = this.options.bestMetric ?? TRAINER_DEFAULTS.bestMetric;
    const value = metrics?.[key];
    if (value !== undefined && (this.best === undefined || value > this.best.value)) {
      this.best = { step: this.step, value };
      const tmp = join(root, `${BEST_FILE}.tmp`);
      await writeFile(
        tmp,
        JSON.stringify({ step: this.step, dir: checkpointName(this.step), metric: key, value }),
      );
      await rename(tmp, join(root, BEST_FILE));
    }
    await this.prune(root);
    return dir;
  }

  /** What `<outDir>/checkpoints/best.json` records, if it exists. */
  private async readBestFile(): Promise<
    { step: number; metric?: string; value: number } | undefined
  > {
    const root = this.checkpointRoot;
    if (root === undefined || !existsSync(join(root, BEST_FILE))) return undefined;
    return JSON.parse(await readFile(join(root, BEST_FILE), 'utf8')) as {
      step: number;
      metric?: string;
      value: number;
    };
  }

  /** The stored best for this run's metric (another metric's best does not compare). */
  private async readBest(): Promise<{ step: number; value: number } | undefined> {
    const best = await this.readBestFile();
    const key = this.options.bestMetric ?? TRAINER_DEFAULTS.bestMetric;
    return best !== undefined && (best.metric === undefined || best.metric === key)
      ? { step: best.step, value: best.value }
      : undefined;
  }

  private async prune(root: string): Promise<void> {
    const keep = this.options.keepLast ?? TRAINER_DEFAULTS.keepLast;
    const all = await listCheckpoints(root);
    const bestStep = this.best?.step ?? (await this.readBestFile())?.step;
    for (const c of all.slice(0, Math.max(0, all.length - keep))) {
      if (c.step !== bestStep) await removeCheckpoint(c.dir);
    }
  }

  /**
   * Restores a checkpoint: weights, optimizer moments, step (and so the schedule), RNG states and
   * the data order. With no argument, the latest complete checkpoint under `<outDir>/checkpoints`.
   * @returns the step resumed from
   * @throws TrainerError `CHECKPOINT_MISSING` when there is none
   */
  async resume(dir?: string): Promise<number> {
    let target = dir;
    if (target === undefined) {
      const root = this.checkpointRoot;
      const all = root === undefined ? [] : await listCheckpoints(root);
      if (root !== undefined) await removeStaleTemporaries(root);
      target = all.at(-1)?.dir;
      if (target === undefined) {
        throw new TrainerError(
          'CHECKPOINT_MISSING',
          `Nothing to resume: no complete checkpoint under ${root ?? '(no outDir)'}. Run without --resume first.`,
        );
      }
    }
    const ckpt = await readCheckpoint(target);
    ckpt.restoreWeights(this.model.variables());
    if (ckpt.optimizer !== undefined) this.optimizer.setState(ckpt.optimizer);
    this.step = ckpt.step;
    this.badSteps = ckpt.badSteps ?? 0;
    if (ckpt.data !== undefined) this.data.setState(ckpt.data);
    this.iterator = undefined;
    for (const [name, rng] of Object.entries(this.options.rngs ?? {})) {
      const state = ckpt.rng?.[name];
      if (state !== undefined) rng.setState(state as never);
    }
    this.evaluation =
      ckpt.metrics === undefined ? undefined : { step: ckpt.step, metrics: { ...ckpt.metrics } };
    this.best = await this.readBest();
    return this.step;
  }

  /** The trainable variables, in the optimizer's order. */
  get trainableVariables(): NamedVariable[] {
    return this.optimizer.variables;
  }

  /** Frees the optimizer's moments (not the model) and stops the gradient workers, if any. */
  dispose(): void {
    void this.closeWorkers();
    this.optimizer.dispose();
  }
}
