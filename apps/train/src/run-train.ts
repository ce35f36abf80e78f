import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { firstNonFiniteWeight } from '@clapjs/model';
import type { PartConfig, TrainerCallback } from '@clapjs/core';
import { evaluate, resolveModule, Trainer, zeroShotOnEmbeddings } from '@clapjs/trainer';
import type { BackendSelection } from '@clapjs/core';
import type { EvaluationResult, ZeroShotMetrics } from '@clapjs/trainer';
import { chooseBackend } from './backend.js';
import { CliError } from './errors.js';
import type { LoadedConfig } from './config.js';
import {
  buildDataset,
  makeLoader,
  splitCaptions,
  withShuffledCaptions,
  zeroShotTaskOf,
} from './data.js';
import { importPlugins, pluginSearchDirs, recordedPlugins, registerBuiltins } from './plugins.js';
import { memoryCallback, progressCallback } from './progress.js';
import { renderReport } from './report/html.js';
import { createTrainModel } from './train-model.js';
import { checkRunDirectory, prepareRunDirectory, trimMetricsAfter } from './run-dir.js';

/** Command-line overrides of a training run. */
export interface TrainRunOptions {
  /** Output directory (default `runs/<name>` under the working directory). */
  readonly out?: string;
  /** Overrides `train.steps`. */
  readonly steps?: number;
  /**
   * Continue: `true` = the latest checkpoint under the output directory; a step number (as a
   * string) or a checkpoint directory picks one.
   */
  readonly resume?: boolean | string;
  /**
   * Start over in a directory that holds checkpoints: they are moved aside and deleted once the
   * new run has saved its first checkpoint. Without it (or `resume`) such a run is refused.
   */
  readonly overwrite?: boolean;
  readonly backend?: LoadedConfig['config']['backend'];
  /** Overrides `train.workers`: gradient workers, or `auto` (the CPU cores on wasm, else 1). */
  readonly workers?: number | 'auto';
  /** Show the progress bar (default: true). */
  readonly progress?: boolean;
  /** Stop after this step (the run's schedule still spans `steps`): for resume tests. */
  readonly stopAt?: number;
  /** Where to print (default: stdout). */
  readonly log?: (line: string) => void;
}

/** What a run produced. */
export interface TrainRunSummary {
  readonly outDir: string;
  readonly backend: string;
  readonly steps: number;
  readonly seconds: number;
  readonly losses: readonly number[];
  readonly evaluation?: EvaluationResult;
  readonly zeroShot?: ZeroShotMetrics;
  readonly zeroShotAll?: ZeroShotMetrics;
  readonly metrics: Record<string, number>;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/**
 * What each gradient worker imports before selecting the backend: the register entry of every
 * kernel pack loaded for it (resolved from this app), then the config's plugin packages (npm
 * names from the config's directory, ./paths relative to it).
 */
function workerSetup(loaded: LoadedConfig, backend: BackendSelection): string[] {
  const packs = backend.kernelPacks
    .filter((p) => p.loaded)
    .flatMap((p) => {
      try {
        return [import.meta.resolve(`${p.name}/register`)];
      } catch {
        return [];
      }
    });
  const plugins = [
    ...loaded.config.plugins,
    ...((loaded.config.model as { plugins?: string[] }).plugins ?? []),
  ].map((spec) =>
    spec.startsWith('.') || spec.startsWith('/')
      ? pathToFileURL(resolve(loaded.dir, spec)).href
      : (resolveModule(spec, resolve(loaded.dir, 'config.js')) ??
        resolveModule(spec, import.meta.filename) ??
        spec),
  );
  return [...packs, ...plugins];
}

/**
 * Trains the model a config describes, end to end: plugins, backend, dataset, model (tokenizer
 * fitted on the training captions), trainer with progress bar, JSONL metrics log and
 * checkpoints; then evaluates on the test split (retrieval, and zero-shot on held-out
 * combinations when the dataset defines them), saves the model and writes report.html.
 */
export async function runTraining(
  loaded: LoadedConfig,
  options: TrainRunOptions = {},
): Promise<TrainRunSummary> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const steps = options.steps ?? loaded.config.train.steps;
  if (!Number.isSafeInteger(steps) || steps < 1) {
    throw new CliError('TRAIN_STEPS', `steps must be a positive integer, got ${steps}.`);
  }
  const outDir = resolve(options.out ?? join('runs', loaded.config.name));
  checkRunDirectory(outDir);
  const started = performance.now();
  const prepared = prepareRunDirectory(outDir, options, log);
  try {
    return await trainInDirectory(loaded, options, { outDir, steps, started, prepared, log });
  } finally {
    prepared.release();
  }
}

async function trainInDirectory(
  loaded: LoadedConfig,
  options: TrainRunOptions,
  run: {
    outDir: string;
    steps: number;
    started: number;
    prepared: ReturnType<typeof prepareRunDirectory>;
    log: (line: string) => void;
  },
): Promise<TrainRunSummary> {
  const { outDir, steps, started, prepared, log } = run;
  const { config } = loaded;
  await registerBuiltins();
  // The saved model records the plugin packages, so every later command can import them.
  const plugins = recordedPlugins(config, loaded.dir);
  await importPlugins(plugins, pluginSearchDirs({ config: loaded.dir }));
  const backend = await chooseBackend(options.backend ?? config.backend, log);
  const workersAsked = options.workers ?? config.train.workers;
  // tfjs-wasm has no threads under Node: one gradient worker per core is how it uses them all,
  // unless @clapjs/kernels-native's oneDNN threads already do (bench/workers: two workers over
  // it were 0.90x at batch 32, 1.24x at 64).
  const nativeThreads = backend.kernelPacks.some(
    (p) => p.loaded && p.name === '@clapjs/kernels-native',
  );
  const autoWorkers = backend.name === 'wasm' && !nativeThreads ? availableParallelism() : 1;
  const autoWhy =
    backend.name !== 'wasm'
      ? `1 on ${backend.name}`
      : nativeThreads
        ? 'kernels-native threads use the cores'
        : `${autoWorkers} CPU cores`;
  const workers = workersAsked === 'auto' ? autoWorkers : workersAsked;
  if (workers > 1 && backend.name !== 'wasm' && backend.name !== 'cpu') {
    // Each worker would open its own GPU device and model copy: gradient workers are a CPU feature.
    throw new CliError(
      'WORKERS_BACKEND',
      `train.workers ${workers} needs a CPU backend (wasm or cpu); the backend is ${backend.name}, which runs one model on its device. Set --workers 1 (or auto).`,
    );
  }
  log(`gradient workers: ${workers}${workersAsked === 'auto' ? ` (auto: ${autoWhy})` : ''}`);

  const dataset = buildDataset(loaded);
  const captions = await splitCaptions(dataset, 'train');
  const model = await createTrainModel(
    loaded,
    plugins.length > 0 ? { ...config.model, plugins } : config.model,
    {
      seed: config.seed,
      captions,
      workers,
      backend: backend.name,
      batchSize: config.data.batchSize,
    },
    log,
  );
  log(
    `model: ${model
      .variables()
      .reduce((n, v) => n + v.variable.size, 0)
      .toLocaleString(
        'en',
      )} weights · dataset ${config.data.dataset.name} (${dataset.size} items) · batch ${config.data.batchSize} · ${steps} steps`,
  );
  const trainLoader = makeLoader(loaded, dataset, model, 'train', true);
  const source = config.data.shuffleCaptions
    ? withShuffledCaptions(trainLoader, config.seed)
    : trainLoader;
  const callbacks: (TrainerCallback | PartConfig)[] = [
    { name: 'logger', path: join(outDir, 'metrics.jsonl') },
    memoryCallback(join(outDir, 'metrics.jsonl')),
    { name: 'checkpoint', every: config.train.checkpointEvery ?? steps },
    ...prepared.callbacks,
    ...(config.train.evalEvery === undefined
      ? []
      : [{ name: 'eval', every: config.train.evalEvery }]),
    ...config.callbacks,
  ];
  if (options.progress !== false) callbacks.unshift(progressCallback());
  // A fresh run starts its log only now, once everything that can refuse the run has passed.
  if (prepared.resumeFrom === undefined) writeFileSync(join(outDir, 'metrics.jsonl'), '');
  const task = zeroShotTaskOf(dataset);
  const templates =
    config.eval.templates ?? (task ? [task.template] : ['This is a sound of {label}.']);
  const trainer = new Trainer(model, source, {
    steps,
    lr: config.train.lr,
    ...(config.train.warmupSteps === undefined ? {} : { warmupSteps: config.train.warmupSteps }),
    minLr: config.train.minLr,
    optimizer: {
      kind: config.train.optimizer,
      weightDecay: config.train.weightDecay,
      beta1: config.train.beta1,
      beta2: config.train.beta2,
    },
    clipNorm: config.train.clipNorm,
    maxBadSteps: config.train.maxBadSteps,
    outDir,
    keepLast: config.train.keepLast,
    workers,
    ...(workers > 1
      ? {
          workerSetup: workerSetup(loaded, backend),
          modelLoader: import.meta.resolve('@clapjs/model/load'),
        }
      : {}),
    validation: () => makeLoader(loaded, dataset, model, 'val', false).evalBatches(),
    evaluation: { templates, maxItems: config.eval.maxItems },
    callbacks,
  });
  try {
    if (prepared.resumeFrom !== undefined) {
      const from = await trainer.resume(
        prepared.resumeFrom === 'latest' ? undefined : prepared.resumeFrom,
      );
      trimMetricsAfter(join(outDir, 'metrics.jsonl'), from);
      log(
        from >= steps
          ? `resumed from step ${from}: the run already reached its ${steps} steps (raise --steps to train further)`
          : `resumed from step ${from}`,
      );
    }
    const result = await trainer.fit(options.stopAt ?? steps);
    if (result.step < steps && options.stopAt !== undefined) {
      return {
        outDir,
        backend: backend.name,
        steps: result.step,
        seconds: result.seconds,
        losses: result.losses,
        metrics: {},
      };
    }
    const evaluation = await evaluate(
      model,
      makeLoader(loaded, dataset, model, config.eval.split, false).evalBatches(),
      {
        templates,
        maxItems: config.eval.maxItems,
        ...(task ? { classes: task.labels } : {}),
      },
    );
    const zeroShot = evaluation.zeroShot;
    const zeroShotAll = task
      ? await zeroShotOnEmbeddings(
          model,
          evaluation.embeddings.audio,
          evaluation.embeddings.dim,
          evaluation.embeddings.labels.flatMap((l, i) =>
            l !== undefined && task.labels.includes(l) ? [{ l, i }] : [],
          ),
          { templates, classes: task.allLabels },
        )
      : undefined;
    const diverged = await firstNonFiniteWeight(model.variables());
    if (diverged !== undefined) {
      throw new CliError(
        'TRAIN_DIVERGED',
        `Training diverged: weight "${diverged}" holds NaN or Infinity after step ${result.step}, so the model was not saved to ${join(outDir, 'model')}. Lower train.lr (now ${config.train.lr}) or keep clipNorm on, and train again.`,
      );
    }
    await model.save(join(outDir, 'model'));
    const seconds = (performance.now() - started) / 1000;
    const metrics: Record<string, number> = { ...evaluation.metrics, seconds, steps: result.step };
    if (zeroShotAll !== undefined) {
      metrics['zeroshot-all/top1'] = zeroShotAll.top1;
      metrics['zeroshot-all/balancedTop1'] = zeroShotAll.balancedTop1;
    }
    const lastLosses = result.losses.slice(-10);
    if (lastLosses.length > 0)
      metrics['loss/last10'] = lastLosses.reduce((a, b) => a + b, 0) / lastLosses.length;
    writeFileSync(
      join(outDir, 'summary.json'),
      `${JSON.stringify({ config, backend: backend.name, metrics }, null, 2)}\n`,
    );
    const stepsLog = readSteps(join(outDir, 'metrics.jsonl'));
    writeFileSync(
      join(outDir, 'report.html'),
      renderReport({
        name: config.name,
        date: new Date().toISOString(),
        backend: backend.name,
        seconds,
        config,
        steps: stepsLog,
        evaluation,
        ...(zeroShot ? { zeroShot } : {}),
        ...(zeroShotAll ? { zeroShotAll } : {}),
        batchSize: config.data.batchSize,
      }),
    );
    log('');
    const skipped = (trainLoader as unknown as { skipped?: number }).skipped ?? 0;
    if (skipped > 0) log(`skipped ${skipped} corrupt clip(s) (data.onCorrupt: skip)`);
    log(
      `done: ${result.step} steps in ${seconds.toFixed(0)} s on ${backend.name}; ${
        lastLosses.length > 0
          ? `mean loss of the last ${lastLosses.length} steps ${metrics['loss/last10']?.toFixed(3)}`
          : 'no steps trained in this process (resumed at the final step)'
      } (ln N = ${Math.log(config.data.batchSize).toFixed(3)})`,
    );
    if (zeroShot !== undefined) {
      const among = task
        ? `${zeroShot.classes.length} held-out combinations`
        : `${zeroShot.classes.length} ${config.eval.split} labels`;
      log(
        `${task ? 'held-out ' : ''}zero-shot top-1: ${pct(zeroShot.top1)}, class-balanced ${pct(zeroShot.balancedTop1)} (chance ${pct(zeroShot.chance)}; ${zeroShot.items} clips of ${among})`,
      );
    }
    if (zeroShotAll !== undefined) {
      log(
        `  the same clips among all ${zeroShotAll.classes.length} combinations: top-1 ${pct(zeroShotAll.top1)}, class-balanced ${pct(zeroShotAll.balancedTop1)} (chance ${pct(zeroShotAll.chance)})`,
      );
    }
    log(
      `test retrieval (${evaluation.items} items): text→audio R@1 ${pct(evaluation.textToAudio.r1)} R@10 ${pct(evaluation.textToAudio.r10)} · audio→text R@1 ${pct(evaluation.audioToText.r1)} R@10 ${pct(evaluation.audioToText.r10)} (chance R@1 ${pct(1 / evaluation.items)}, R@10 ${pct(Math.min(1, 10 / evaluation.items))})`,
    );
    log(
      `checkpoint: ${join(outDir, 'checkpoints')} · model: ${join(outDir, 'model')} · report: ${join(outDir, 'report.html')}`,
    );
    return {
      outDir,
      backend: backend.name,
      steps: result.step,
      seconds,
      losses: result.losses,
      evaluation,
      ...(zeroShot ? { zeroShot } : {}),
      ...(zeroShotAll ? { zeroShotAll } : {}),
      metrics,
    };
  } finally {
    await trainLoader.close();
    trainer.dispose();
    model.dispose();
  }
}

function readSteps(file: string): { step: number; loss: number; lr: number }[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { type: string; step: number; loss: number; learningRate: number })
    .filter((r) => r.type === 'step')
    .map((r) => ({ step: r.step, loss: r.loss ?? NaN, lr: r.learningRate }));
}
