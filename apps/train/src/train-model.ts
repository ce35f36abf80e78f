import { ConfigError } from '@clapjs/core';
import { ClapModel } from '@clapjs/model';
import type { LoadedConfig, TrainConfig } from './config.js';
import { resolveFromConfig } from './config.js';
import { CliError } from './errors.js';
import { loadModel } from './model-io.js';
import { checkTrainingMemory, estimateTrainingMemory } from './train-memory.js';

/** One freeze entry as the log and errors show it: `audioEncoder except layers.3, norm`. */
function describeFreeze(entry: TrainConfig['freeze'][number]): string {
  if (typeof entry === 'string') return entry;
  const except = entry.except === undefined ? '' : ` except ${entry.except.join(', ')}`;
  return `${entry.part}${except}${entry.mode === 'eval' ? ' (eval mode)' : ''}`;
}

/**
 * The model `clapjs train` trains: a fresh one from `model` (the default), or with `init` the
 * saved model directory it names (e.g. one written by `clapjs import`); then the parts `freeze`
 * lists are frozen (no gradients; `except` prefixes keep training); on wasm, a run whose estimated peak memory
 * exceeds the heap is refused before the first step.
 * @throws ConfigError when `init` and a `model` config are both given; CliError when `freeze` is
 * combined with gradient workers (each worker would train its own unfrozen copy), or
 * `TRAINING_MEMORY` when the step cannot fit the wasm heap
 */
export async function createTrainModel(
  loaded: LoadedConfig,
  modelConfig: object,
  options: {
    readonly seed: number;
    readonly captions: readonly string[];
    readonly workers: number;
    /** The selected tfjs backend: on wasm, a run that cannot fit its heap is refused. */
    readonly backend: string;
    readonly batchSize: number;
  },
  log: (line: string) => void,
): Promise<ClapModel> {
  const { init, freeze } = loaded.config;
  let model: ClapModel;
  if (init === undefined) {
    model = await ClapModel.create(modelConfig as never, {
      seed: options.seed,
      captions: options.captions,
    });
  } else {
    const parts = Object.keys(loaded.config.model).filter((key) => key !== 'plugins');
    if (parts.length > 0) {
      throw new ConfigError(
        'model',
        `Invalid config in ${loaded.path}: init loads the model from ${init}, so "model" must not describe one (it has ${parts.join(', ')}). Remove one of the two keys.`,
      );
    }
    model = await loadModel(resolveFromConfig(loaded, init));
    log(`init: weights and config from ${resolveFromConfig(loaded, init)}`);
  }
  if (freeze.length > 0) {
    if (options.workers > 1) {
      model.dispose();
      throw new CliError(
        'FREEZE_WORKERS',
        `freeze (${freeze.map(describeFreeze).join('; ')}) needs train.workers 1: each gradient worker would load an unfrozen copy of the model. Set --workers 1.`,
      );
    }
    try {
      model.freeze(freeze);
    } catch (error) {
      model.dispose();
      throw error;
    }
    const trainable = model
      .variables()
      .filter((v) => v.trainable)
      .reduce((n, v) => n + v.variable.size, 0);
    log(
      `frozen: ${freeze.map(describeFreeze).join('; ')} (${trainable.toLocaleString('en')} weights train)`,
    );
  }
  const estimate = estimateTrainingMemory({
    parameters: model.variables().map((v) => ({ size: v.variable.size, trainable: v.trainable })),
    audio: model.frontEnd.config,
    audioEncoder: model.config.audioEncoder,
    batchSize: options.batchSize,
  });
  try {
    checkTrainingMemory(estimate, {
      backend: options.backend,
      batchSize: options.batchSize,
      encoder: model.config.audioEncoder.name,
    });
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}
