import { rename, stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import {
  CHECKPOINT_FAMILIES,
  importCheckpoint,
  openCheckpoint,
  type CheckpointImportReport,
} from '@clapjs/checkpoints';
import type { BackendName } from '@clapjs/core';
import { chooseBackend } from '../backend.js';
import { registerBuiltins } from '../plugins.js';

type Log = (line: string) => void;

/** Options of `clapjs import`. */
export interface ImportCommandOptions {
  readonly from: string;
  readonly out: string;
  readonly set?: string[];
  readonly tokenizer?: string;
  readonly report?: string;
  readonly backend: 'auto' | BackendName;
}

function summary(report: CheckpointImportReport, log: Log): void {
  if (report.guessed) log(`--from auto: recognised ${report.family} from the tensor names`);
  for (const note of report.notes) log(note);
  for (const s of report.settings)
    log(
      `  ${s.key} = ${JSON.stringify(s.value)}  (${s.from === 'checkpoint' ? 'from the checkpoint' : s.from === 'set' ? '--set' : 'published default'})`,
    );
  log(`mapped ${report.mapped.length} tensors into clapjs weights`);
  for (const f of report.frontEnd)
    log(
      `front end matches the preset: ${f.name} (max difference ${f.relativeError.toExponential(1)} of its peak)`,
    );
  const reasons = new Map<string, number>();
  for (const u of report.unused) reasons.set(u.reason, (reasons.get(u.reason) ?? 0) + 1);
  for (const [reason, count] of reasons) log(`unused: ${count} tensor(s): ${reason}`);
}

/**
 * `clapjs import --from FAMILY FILE -o DIR`: reads a published PyTorch checkpoint lazily,
 * builds the clapjs model it corresponds to and saves it as an ordinary model directory.
 */
export async function importCommand(
  file: string,
  opts: ImportCommandOptions,
  log: Log,
): Promise<CheckpointImportReport> {
  await chooseBackend(opts.backend, () => {});
  await registerBuiltins();
  const reader = await openCheckpoint(file);
  const folder = (await stat(file).catch(() => undefined))?.isDirectory() === true;
  let imported: Awaited<ReturnType<typeof importCheckpoint>>;
  try {
    imported = await importCheckpoint(reader, {
      from: opts.from,
      source: file,
      ...(folder ? { folder: file } : {}),
      ...(opts.set === undefined ? {} : { set: opts.set }),
      ...(opts.tokenizer === undefined ? {} : { tokenizer: opts.tokenizer }),
    });
  } finally {
    await reader.close();
  }
  const { model, report } = imported;
  try {
    await model.save(opts.out);
  } finally {
    model.dispose();
  }
  summary(report, log);
  if (opts.report !== undefined) {
    const temp = `${opts.report}.tmp-${process.pid}`;
    await writeFile(temp, `${JSON.stringify(report, null, 2)}\n`);
    await rename(temp, opts.report);
  }
  log(
    `wrote ${resolve(opts.out)}: use it with classify, search, embed, eval and export (-m ${opts.out})`,
  );
  return report;
}

/** Adds `clapjs import` to the program. */
export function registerImportCommand(program: Command, log: Log): void {
  program
    .command('import')
    .description('import a published PyTorch CLAP checkpoint into a clapjs model directory')
    .argument(
      '<file>',
      'the checkpoint (.pth, .pt, .ckpt, pytorch_model.bin), or a Hugging Face snapshot directory',
    )
    .addOption(
      new Option('--from <family>', 'checkpoint family, or auto to recognise it')
        .choices([...CHECKPOINT_FAMILIES.map((f) => f.name), 'auto'])
        .makeOptionMandatory(),
    )
    .requiredOption('-o, --out <dir>', 'output model directory (written atomically)')
    .option('--set <key=value...>', 'override a derived setting, e.g. textEncoder.heads=12')
    .option(
      '--tokenizer <dir>',
      "the checkpoint's tokenizer files: vocab.txt (msclap), vocab.json + merges.txt or tokenizer.json (LAION, HF)",
    )
    .option('--report <file>', 'also write the full import report (every tensor) as JSON')
    .addOption(
      new Option('--backend <name>', 'tfjs backend')
        .choices(['auto', 'tensorflow', 'webgpu', 'webgl', 'wasm', 'cpu'])
        .default('auto'),
    )
    .action(async (file: string, o: ImportCommandOptions) => {
      await importCommand(file, o, log);
    });
}
