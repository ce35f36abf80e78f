import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import type { TrainerCallback } from '@clapjs/core';
import { checkpointName, STATE_FILE } from '@clapjs/trainer';
import { CliError } from './errors.js';
import { lockRunDirectory } from './run-lock.js';

/** How a run treats the checkpoints already in its directory. */
export interface RunDirectoryPolicy {
  /** Continue: `true` = the latest checkpoint, or a step number, or a checkpoint directory. */
  readonly resume?: boolean | string;
  /** Start over: the old checkpoints are moved aside and deleted once the new run saved one. */
  readonly overwrite?: boolean;
}

/** A locked run directory, ready for the trainer. */
export interface PreparedRunDirectory {
  /** The checkpoint to resume from: a directory, `'latest'`, or undefined for a fresh run. */
  readonly resumeFrom?: string;
  /** Trainer callbacks the run needs (deleting replaced checkpoints after the first save). */
  readonly callbacks: TrainerCallback[];
  /** Releases the directory's lock. */
  release(): void;
}

/** Complete checkpoints (`step-N` with its state file) directly under `root`. */
function completeCheckpoints(root: string): string[] {
  if (!existsSync(root) || !statSync(root).isDirectory()) return [];
  return readdirSync(root).filter(
    (n) => /^step-\d+$/.test(n) && existsSync(join(root, n, STATE_FILE)),
  );
}

/**
 * Checks the run directory before anything is built: it must be a directory (or not exist yet).
 * @throws CliError `RUN_OUT_NOT_DIR`
 */
export function checkRunDirectory(outDir: string): void {
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) {
    throw new CliError(
      'RUN_OUT_NOT_DIR',
      `Cannot train into ${outDir}: it is a file, not a directory. Give --out a directory (new, or an earlier run's).`,
    );
  }
}

function resumeTarget(outDir: string, resume: string): string {
  const dir = /^\d+$/.test(resume)
    ? join(outDir, 'checkpoints', checkpointName(Number(resume)))
    : resolve(resume);
  if (!existsSync(join(dir, STATE_FILE))) {
    const have = completeCheckpoints(join(outDir, 'checkpoints'));
    throw new CliError(
      'RESUME_TARGET',
      `Cannot resume from ${dir}: no complete checkpoint there (${STATE_FILE} missing). Checkpoints in ${join(outDir, 'checkpoints')}: ${have.join(', ') || 'none'}; pass --resume with one of their steps or directories.`,
    );
  }
  return dir;
}

/**
 * Locks the run directory and applies the checkpoint policy. A fresh run into a directory that
 * has checkpoints is refused unless `overwrite` (or `resume`) says what to do with them.
 * @throws CliError `RUN_LOCKED`, `RUN_HAS_CHECKPOINTS`, `RESUME_TARGET`
 */
export function prepareRunDirectory(
  outDir: string,
  policy: RunDirectoryPolicy,
  log: (line: string) => void,
): PreparedRunDirectory {
  checkRunDirectory(outDir);
  mkdirSync(outDir, { recursive: true });
  const release = lockRunDirectory(outDir);
  try {
    const root = join(outDir, 'checkpoints');
    if (policy.resume !== undefined && policy.resume !== false) {
      const resumeFrom = policy.resume === true ? 'latest' : resumeTarget(outDir, policy.resume);
      return { resumeFrom, callbacks: [], release };
    }
    const existing = completeCheckpoints(root);
    const callbacks: TrainerCallback[] = [];
    if (existing.length > 0 && policy.overwrite !== true) {
      throw new CliError(
        'RUN_HAS_CHECKPOINTS',
        `${outDir} already holds ${existing.length} checkpoint(s) of an earlier run (latest ${existing.sort().at(-1)}). Continue it with --resume, or start over with --overwrite (the old checkpoints are deleted once the new run has saved its first one).`,
      );
    }
    if (existsSync(root)) {
      let aside: string | undefined = `${root}.replaced-${process.pid}`;
      rmSync(aside, { recursive: true, force: true });
      renameSync(root, aside);
      log(
        `--overwrite: moved the previous checkpoints to ${aside}; they are deleted once this run saves its first checkpoint`,
      );
      const drop = (): void => {
        if (aside !== undefined && completeCheckpoints(root).length > 0) {
          rmSync(aside, { recursive: true, force: true });
          aside = undefined;
        }
      };
      callbacks.push({
        name: 'drop-replaced-checkpoints',
        getConfig: () => ({ name: 'drop-replaced-checkpoints' }),
        onStepEnd: drop,
        onTrainEnd: drop,
      });
    }
    return { callbacks, release };
  } catch (error) {
    release();
    throw error;
  }
}

/**
 * After resuming at `step`, drops the metrics lines of steps after it (they were logged by the
 * interrupted run and will be logged again), so metrics.jsonl has one line per step.
 */
export function trimMetricsAfter(file: string, step: number): void {
  if (!existsSync(file)) return;
  const kept = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => {
      if (line.trim() === '') return false;
      try {
        const record = JSON.parse(line) as { step?: unknown };
        return typeof record.step !== 'number' || record.step <= step;
      } catch {
        return false; // a line cut short by a kill
      }
    });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, kept.map((l) => `${l}\n`).join(''));
  renameSync(tmp, file);
}
