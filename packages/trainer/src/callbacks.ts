import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { definePlugin, z } from '@clapjs/core';
import type { TrainerCallback } from '@clapjs/core';
import { TrainerError } from './errors.js';
import type { Trainer } from './trainer.js';
import { VERSION } from './version.js';

const ORIGIN = '@clapjs/trainer';

function trainerOf(context: Record<string, unknown>, name: string): Trainer {
  const trainer = context.trainer as Trainer | undefined;
  if (trainer === undefined) {
    throw new TrainerError(
      'TRAINER_OPTIONS',
      `The ${name} callback needs the trainer in its context ({ trainer }); list it in TrainerOptions.callbacks.`,
    );
  }
  return trainer;
}

/** `logger`: appends one JSON line per step (and per evaluation) to a metrics file. */
export const loggerCallback = definePlugin({
  kind: 'callback',
  name: 'logger',
  version: VERSION,
  coreVersion: '^0.1.0',
  origin: ORIGIN,
  description: 'Writes step and evaluation metrics as JSON lines',
  configSchema: z.strictObject({
    path: z.string().min(1),
    every: z.number().int().positive().default(1),
  }),
  create(config): TrainerCallback {
    mkdirSync(dirname(config.path), { recursive: true });
    const write = (record: object): void =>
      appendFileSync(
        config.path,
        `${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`,
      );
    return {
      name: 'logger',
      getConfig: () => config,
      onStepEnd(info) {
        if (info.step % config.every === 0 || info.step === info.totalSteps)
          write({ type: 'step', ...info });
      },
      onEvalEnd(info) {
        write({ type: 'eval', step: info.step, ...info.metrics });
      },
    };
  },
});

/**
 * `checkpoint`: saves a checkpoint every N steps and at the end, after the step's evaluation (if
 * any), so the checkpoint carries that evaluation's metrics.
 */
export const checkpointCallback = definePlugin({
  kind: 'callback',
  name: 'checkpoint',
  version: VERSION,
  coreVersion: '^0.1.0',
  origin: ORIGIN,
  description: 'Saves atomic checkpoints every N steps and at the end of training',
  configSchema: z.strictObject({ every: z.number().int().positive().default(100) }),
  create(config, context): TrainerCallback {
    const trainer = trainerOf(context, 'checkpoint');
    let lastSaved = -1;
    return {
      name: 'checkpoint',
      getConfig: () => config,
      async afterStepEnd(info) {
        if (info.step % config.every === 0) {
          await trainer.saveCheckpoint();
          lastSaved = info.step;
        }
      },
      async onTrainEnd(info) {
        if (info.step !== lastSaved && info.step > 0) await trainer.saveCheckpoint();
      },
    };
  },
});

/** `eval`: runs validation every N steps and at the end (feeds best-checkpoint selection). */
export const evalCallback = definePlugin({
  kind: 'callback',
  name: 'eval',
  version: VERSION,
  coreVersion: '^0.1.0',
  origin: ORIGIN,
  description: 'Evaluates retrieval and zero-shot metrics on the validation data every N steps',
  configSchema: z.strictObject({ every: z.number().int().positive().default(100) }),
  create(config, context): TrainerCallback {
    const trainer = trainerOf(context, 'eval');
    return {
      name: 'eval',
      getConfig: () => config,
      async onStepEnd(info) {
        if (info.step % config.every === 0 || info.step === info.totalSteps)
          await trainer.validate();
      },
    };
  },
});

/** `early-stop`: stops when a validation metric has not improved for `patience` evaluations. */
export const earlyStopCallback = definePlugin({
  kind: 'callback',
  name: 'early-stop',
  version: VERSION,
  coreVersion: '^0.1.0',
  origin: ORIGIN,
  description: 'Stops training when a validation metric stops improving',
  configSchema: z.strictObject({
    metric: z.string().default('t2a/R@10'),
    mode: z.enum(['max', 'min']).default('max'),
    patience: z.number().int().positive().default(3),
    minDelta: z.number().nonnegative().default(0),
  }),
  create(config): TrainerCallback {
    let best: number | undefined;
    let waited = 0;
    let stop = false;
    return {
      name: 'early-stop',
      getConfig: () => config,
      onEvalEnd(info) {
        const value = info.metrics[config.metric];
        if (value === undefined) return;
        const better =
          best === undefined ||
          (config.mode === 'max' ? value > best + config.minDelta : value < best - config.minDelta);
        if (better) {
          best = value;
          waited = 0;
        } else if (++waited >= config.patience) {
          stop = true;
        }
      },
      shouldStop: () => stop,
    };
  },
});

/** The built-in callback plugins. */
export const callbackPlugins = [
  loggerCallback,
  checkpointCallback,
  evalCallback,
  earlyStopCallback,
] as const;
