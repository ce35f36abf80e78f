import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AUTO_BACKEND_ORDER, ConfigError, z } from '@clapjs/core';
import type { BackendName } from '@clapjs/core';
import { PART_SLOTS } from '@clapjs/model';
import { TRAINER_DEFAULTS } from '@clapjs/trainer';
import { CliError } from './errors.js';

/** `--backend` / `backend:` values: `auto`, then core's backends in the order `auto` tries them. */
export const BACKEND_CHOICES = ['auto', ...AUTO_BACKEND_ORDER] as ['auto', ...BackendName[]];

const part = z.looseObject({ name: z.string().min(1, 'give the plugin name') });

/** The schema of a training config file (YAML or JSON). Every key has a default but `data.dataset`. */
export const trainConfigSchema = z.strictObject({
  /** The run name: outputs go to `runs/<name>/` unless --out says otherwise. */
  name: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, 'use letters, digits, dots, dashes and underscores')
    .refine(
      (name) => name !== '.' && name !== '..',
      'a run name is one folder name, not "." or ".."',
    )
    .default('run'),
  seed: z.number().int().default(1),
  backend: z.enum(BACKEND_CHOICES).default('auto'),
  /** Packages (npm names, or ./paths relative to this file) imported before building: they register plugins. */
  plugins: z.array(z.string().min(1)).default([]),
  /** The model config (@clapjs/model's ClapModelConfig); missing parts take the defaults. */
  model: z.looseObject({}).default({}),
  /**
   * A saved model directory to start from (e.g. one `clapjs import` wrote), relative to this
   * file; its config replaces `model`, which must then be empty.
   */
  init: z.string().min(1).optional(),
  /**
   * Parts that do not train (no gradients, no optimizer state, no weight decay): a part name, or
   * `{ part, except: [prefixes that keep training], mode: train | eval }` (ClapModel.freeze).
   */
  freeze: z
    .array(
      z.union(
        [
          z.enum(PART_SLOTS),
          z.strictObject({
            part: z.enum(PART_SLOTS),
            except: z.array(z.string().min(1)).min(1).optional(),
            mode: z.enum(['train', 'eval']).optional(),
          }),
        ],
        {
          error: `give a part (${PART_SLOTS.join(', ')}) or { part, except: [prefixes], mode: train | eval }`,
        },
      ),
    )
    .default([]),
  data: z.strictObject({
    /** A dataset plugin config, e.g. `{ name: synth, size: 2000 }` or `{ name: manifest, path: ./train.jsonl }`. */
    dataset: part,
    /** The directory dataset paths resolve against (default: the config file's directory). */
    root: z.string().optional(),
    batchSize: z.number().int().min(2, 'a contrastive batch needs at least 2 items').default(32),
    cacheDir: z.string().optional(),
    /** Batches decoded ahead of training (each holds a batch of log-mels in memory). */
    prefetch: z.number().int().min(0).max(64, 'at most 64 batches ahead').default(2),
    /** Worker threads that decode and compute log-mels off the main thread (0 = none). */
    workers: z.number().int().min(0).max(16).default(0),
    onCorrupt: z.enum(['skip', 'fail']).default('skip'),
    augment: z.looseObject({}).optional(),
    /** The control: pair each clip with another clip's caption (nothing to learn). */
    shuffleCaptions: z.boolean().default(false),
  }),
  train: z
    .strictObject({
      steps: z.number().int().positive().default(300),
      lr: z.number().positive().default(TRAINER_DEFAULTS.lr),
      warmupSteps: z.number().int().nonnegative().optional(),
      minLr: z.number().nonnegative().default(TRAINER_DEFAULTS.minLr),
      optimizer: z.enum(['adamw', 'adam']).default(TRAINER_DEFAULTS.optimizer.kind),
      weightDecay: z.number().nonnegative().default(TRAINER_DEFAULTS.optimizer.weightDecay),
      beta1: z.number().min(0).max(1).default(TRAINER_DEFAULTS.optimizer.beta1),
      beta2: z.number().min(0).max(1).default(TRAINER_DEFAULTS.optimizer.beta2),
      clipNorm: z.number().nonnegative().default(TRAINER_DEFAULTS.clipNorm),
      maxBadSteps: z.number().int().positive().default(TRAINER_DEFAULTS.maxBadSteps),
      checkpointEvery: z.number().int().positive().optional(),
      evalEvery: z.number().int().positive().optional(),
      keepLast: z.number().int().positive().default(TRAINER_DEFAULTS.keepLast),
      /**
       * Gradient workers (worker_threads, data-parallel: each computes one shard's gradients of
       * the full-batch loss): a number, or `auto` = the CPU cores on the wasm backend (1 when
       * @clapjs/kernels-native's threads already use them, and on other backends).
       */
      workers: z
        .union([z.number().int().min(1).max(16), z.literal('auto')], {
          error: 'give a positive integer or auto',
        })
        .default(TRAINER_DEFAULTS.workers),
    })
    .prefault({}),
  eval: z
    .strictObject({
      /** The split retrieval is measured on. */
      split: z.enum(['train', 'val', 'test']).default('test'),
      /** Zero-shot prompt templates (default: the dataset's own, else "This is a sound of {label}."). */
      templates: z
        .array(z.string().includes('{label}', { message: 'a template needs {label}' }))
        .min(1)
        .optional(),
      maxItems: z.number().int().positive().default(1000),
    })
    .prefault({}),
  /** Extra callback plugin configs (kind `callback`). */
  callbacks: z.array(part).default([]),
});

/** A validated training config. */
export type TrainConfig = z.output<typeof trainConfigSchema>;

/** A config and where it came from (relative paths resolve against `dir`). */
export interface LoadedConfig {
  readonly config: TrainConfig;
  readonly path: string;
  readonly dir: string;
}

/**
 * Validates a parsed config object.
 * @throws ConfigError naming the offending key, e.g. `train.lr`
 */
export function parseTrainConfig(raw: unknown, source = 'the config'): TrainConfig {
  const result = trainConfigSchema.safeParse(raw ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const unknown = issue?.code === 'unrecognized_keys' ? issue.keys : [];
    const key = [...(issue?.path ?? []).map(String), ...unknown.slice(0, 1)].join('.') || '(root)';
    // YAML's .inf / .nan parse to numbers that zod reports as "expected number, received number".
    let value: unknown = raw;
    for (const k of issue?.path ?? []) value = (value as Record<PropertyKey, unknown> | null)?.[k];
    const message =
      unknown.length > 0
        ? `unknown key "${unknown.join('", "')}"`
        : typeof value === 'number' && !Number.isFinite(value)
          ? `expected a finite number, got ${value}`
          : (issue?.message ?? 'invalid value');
    throw new ConfigError(
      key,
      `Invalid config in ${source} at ${key}: ${message}. Fix that key (see apps/train/README.md for every key).`,
      {
        cause: result.error,
      },
    );
  }
  return result.data;
}

/**
 * Reads a YAML (.yaml/.yml) or JSON config file and validates it.
 * @throws CliError when the file is missing or unparsable; ConfigError for a bad key
 */
export function loadConfig(file: string): LoadedConfig {
  const path = resolve(file);
  if (!existsSync(path)) {
    throw new CliError(
      'CONFIG_MISSING',
      `Config file not found: ${path}. Pass --config with a YAML or JSON file (e.g. apps/train/configs/default.yaml).`,
    );
  }
  if (!statSync(path).isFile()) {
    throw new CliError(
      'CONFIG_NOT_FILE',
      `The config path ${path} is not a file (a directory?). Pass --config with a YAML or JSON file.`,
    );
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(
      'CONFIG_UNREADABLE',
      `Cannot read the config ${path}: ${(error as Error).message.split('\n')[0]}. Check its permissions.`,
      { cause: error },
    );
  }
  let raw: unknown;
  try {
    raw = extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new CliError(
      'CONFIG_SYNTAX',
      `Cannot parse ${path}: ${(error as Error).message.split('\n')[0]}`,
      { cause: error },
    );
  }
  return { config: parseTrainConfig(raw, path), path, dir: dirname(path) };
}

/** Resolves a path from the config against the config file's directory. */
export function resolveFromConfig(loaded: LoadedConfig, path: string): string {
  return isAbsolute(path) ? path : resolve(loaded.dir, path);
}
