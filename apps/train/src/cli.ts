#!/usr/bin/env node
// The `clapjs` command line. Every command prints a one-line error (no stack) for a ClapError.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ClapError } from '@clapjs/core';
import { BACKEND_CHOICES, loadConfig } from './config.js';
import { classifyCommand, embedCommand, searchCommand } from './commands/inference.js';
import { dataListCommand, dataStatsCommand } from './commands/data.js';
import { dataBuildCommand } from './commands/data-build.js';
import { evalCommand } from './commands/eval.js';
import { exportCommand } from './commands/export.js';
import { registerIndexCommands } from './commands/index-cli.js';
import { parseFreezeOption } from './freeze-option.js';
import { runTraining } from './run-train.js';

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const backendOption = () =>
  new Option('--backend <name>', 'tfjs backend').choices(BACKEND_CHOICES).default('auto');

/** The default config: configs/default.yaml next to the built CLI. */
function defaultConfig(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return (
    [
      join(here, '..', 'configs', 'default.yaml'),
      join(process.cwd(), 'apps', 'train', 'configs', 'default.yaml'),
    ].find(existsSync) ?? 'configs/default.yaml'
  );
}

/** `--steps`: a positive integer written as digits (not 1e2, 1.5 or abc), checked before anything is built. */
function parseSteps(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError('give a positive whole number of steps, e.g. --steps 300.');
  return n;
}

function parseWorkers(value: string): number | 'auto' {
  if (value === 'auto') return value;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError('give a positive integer or auto.');
  return n;
}

const program = new Command('clapjs')
  .description('Train and use CLAP (contrastive language-audio) models with TensorFlow.js')
  // One line per refusal (the error names the option; `clapjs <command> --help` lists them all).
  .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'clapjs: ')) })
  // Bad arguments are bad input: exit 2, like every other refusal (help and --version exit 0).
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));

program
  .command('train')
  .description(
    'train a model from a YAML/JSON config; writes checkpoints, metrics.jsonl, model/ and report.html',
  )
  .option('-c, --config <file>', 'config file (default: configs/default.yaml)')
  .addOption(backendOption().default(undefined, 'from the config (auto)'))
  .option('-o, --out <dir>', 'output directory (default: runs/<name>)')
  .option('--steps <n>', 'override train.steps', parseSteps)
  .option(
    '--resume [checkpoint]',
    'continue from the latest checkpoint in the output directory, or from a step number or checkpoint directory',
  )
  .option(
    '--overwrite',
    'start over in an output directory that holds checkpoints (they are deleted once the new run saves one)',
  )
  .option(
    '--workers <n|auto>',
    'gradient workers (worker_threads); auto = CPU cores on wasm without kernels-native, else 1 (default: train.workers)',
    parseWorkers,
  )
  .option(
    '--freeze <parts...>',
    "parts that do not train, replacing the config's freeze: PART, or PART:PREFIX,PREFIX to keep weights under those prefixes training (e.g. audioEncoder:layers.3,norm)",
    (value: string, previous: string[] = []) => [...previous, value],
  )
  .option('--no-progress', 'no progress bar')
  .action(
    async (o: {
      freeze?: string[];
      config?: string;
      backend?: 'auto';
      out?: string;
      steps?: number;
      resume?: boolean | string;
      overwrite?: boolean;
      workers?: number | 'auto';
      progress: boolean;
    }) => {
      const file = loadConfig(o.config ?? defaultConfig());
      const loaded =
        o.freeze === undefined
          ? file
          : { ...file, config: { ...file.config, freeze: parseFreezeOption(o.freeze) } };
      await runTraining(loaded, {
        ...(o.out === undefined ? {} : { out: o.out }),
        ...(o.steps === undefined ? {} : { steps: o.steps }),
        ...(o.backend === undefined ? {} : { backend: o.backend }),
        ...(o.workers === undefined ? {} : { workers: o.workers }),
        ...(o.resume === undefined ? {} : { resume: o.resume }),
        overwrite: o.overwrite === true,
        progress: o.progress,
      });
    },
  );

program
  .command('eval')
  .description('evaluate a saved model on a split of the dataset a config names')
  .option('-c, --config <file>', 'config file naming the dataset', defaultConfig())
  .option('-m, --model <dir>', 'saved model directory (default: runs/default/model)')
  .addOption(new Option('--split <split>', 'split').choices(['train', 'val', 'test']))
  .addOption(backendOption())
  .action(async (o) => {
    await evalCommand(o, log);
  });

/** Fused models (LAION-CLAP fusion): the crops and flag the originals draw at random, per file. */
const FUSION_CROPS_OPTION = [
  '--fusion-crops <frames...>',
  "fused models: per audio file, the front, middle and back crops' first log-mel frames F1,F2,F3 (the originals draw them at random from the thirds of the clip), or - for the default (first, middle, last)",
] as const;
const IS_LONGER_OPTION = [
  '--is-longer <flags...>',
  "fused models: per audio file, true|false|- for the originals' is_longer (whether the crops are fused in; default: longer than the window)",
] as const;

program
  .command('embed')
  .description('print embeddings of audio files and/or texts as JSON')
  .argument('[files...]', 'audio files')
  .option('-t, --text <text...>', 'texts to embed')
  .option('-o, --out <file>', 'write JSON here instead of stdout')
  .option('-m, --model <dir>', 'saved model directory (default: runs/default/model)')
  .option(
    '--crop-offset <seconds>',
    "embed the single crop starting this many seconds in (the original models' crop) instead of the mean over windows covering the clip",
  )
  .option(...FUSION_CROPS_OPTION)
  .option(...IS_LONGER_OPTION)
  .addOption(backendOption())
  .action(async (files: string[], o) => {
    await embedCommand(files, o, log);
  });

program
  .command('classify')
  .description('zero-shot classify an audio file among labels')
  .argument('<file>', 'audio file (wav, flac, mp3, ogg)')
  .requiredOption('-l, --labels <labels>', 'comma-separated labels, e.g. "dog,rain,siren"')
  .option('--template <template>', 'prompt with {label}', 'This is a sound of {label}.')
  .option('--json', 'print JSON')
  .option('-m, --model <dir>', 'saved model directory (default: runs/default/model)')
  .option(
    '--crop-offset <seconds>',
    "embed the single crop starting this many seconds in (the original models' crop) instead of the mean over windows covering the clip",
  )
  .option(...FUSION_CROPS_OPTION)
  .option(...IS_LONGER_OPTION)
  .addOption(backendOption())
  .action(async (file: string, o) => {
    await classifyCommand(file, o, log);
  });

program
  .command('search')
  .description('rank the audio files of a directory against a text')
  .requiredOption('--text <text>', 'the query')
  .requiredOption('--dir <dir>', 'directory of audio files')
  .option('-k <k>', 'how many results', '5')
  .option('-m, --model <dir>', 'saved model directory (default: runs/default/model)')
  .addOption(backendOption())
  .action(async (o) => {
    await searchCommand(o, log);
  });

program
  .command('export')
  .description(
    'export a saved model: tfjs (model directory), safetensors, or web (model + example clips for apps/demo)',
  )
  .addOption(
    new Option('--format <format>', 'output format')
      .choices(['tfjs', 'safetensors', 'web'])
      .makeOptionMandatory(),
  )
  .requiredOption('-o, --out <dir>', 'output directory')
  .option('-m, --model <dir>', 'saved model directory (default: runs/default/model)')
  .option('--examples <n>', 'web: number of example clips', '12')
  .option('--seed <n>', 'web: seed of the synth example clips', '7')
  .option(
    '--quantize <dtype>',
    'web, tfjs: store large weights as float16 or uint8 (dequantized at load; docs/export.md)',
  )
  .addOption(backendOption())
  .action(async (o) => {
    await exportCommand(o, log);
  });

(await import('./commands/import.js')).registerImportCommand(program, log);
const data = program.command('data').description('datasets');
data
  .command('list')
  .description('list the registered dataset plugins')
  .action(async () => {
    await dataListCommand(log);
  });
data
  .command('stats')
  .description('items per split (and the held-out zero-shot task) of the dataset a config names')
  .option('-c, --config <file>', 'config file', defaultConfig())
  .action(async (o) => {
    await dataStatsCommand(o, log);
  });
data
  .command('build')
  .description(
    'render a real-audio dataset from Debian packages: gm-speech (GM instruments + speech) or real-eval (recorded sounds)',
  )
  .argument('<dataset>', 'gm-speech or real-eval')
  .requiredOption('-o, --out <dir>', 'output directory (written atomically)')
  .option('--clips <n>', 'gm-speech: number of clips', '5000')
  .option('--seed <n>', 'gm-speech: seed of every attribute, caption and split', '0')
  .option('--limit <n>', 'real-eval: at most this many sounds per source and set')
  .action(async (dataset, o) => {
    await dataBuildCommand(dataset, o, log);
  });

// The index commands: @clapjs/index loads LanceDB, BullMQ and Fastify only when a command uses them.
registerIndexCommands(program, backendOption, log);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ClapError) {
    process.stderr.write(`clapjs: ${error.message}\n`);
    process.exit(2);
  }
  // A system error (disk full, permission denied, a directory where a file was expected) is the
  // environment, not a bug: one line naming the path. Anything else keeps its stack for a report.
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    process.stderr.write(`clapjs: ${(error as Error).message.split('\n')[0]}\n`);
    process.exit(2);
  }
  if (!(error instanceof Error)) {
    // `throw 42` from a plugin or callback: there is no stack to show, only the value.
    process.stderr.write(`clapjs: a plugin or callback threw ${String(error)} (not an Error)\n`);
    process.exit(2);
  }
  throw error;
}
