import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from './errors.js';

/** The lock file of a run directory: it holds the PID of the training process that owns it. */
export const RUN_LOCK_FILE = '.clapjs-run.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holder(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the exclusive lock of a run directory (created with O_EXCL, so two processes cannot
 * both get it). A lock whose process is gone (kill -9, power loss) is stale and taken over.
 * @returns a function that releases the lock
 * @throws CliError `RUN_LOCKED` naming the directory and the PID of the run that holds it
 */
export function lockRunDirectory(dir: string): () => void {
  const file = join(dir, RUN_LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = holder(file);
      if (attempt < 2 && (pid === undefined || (pid !== process.pid && !alive(pid)))) {
        // Stale (or half-written by a process killed between create and write): take it over.
        try {
          unlinkSync(file);
        } catch {
          // Another process removed it first; try again.
        }
        continue;
      }
      throw new CliError(
        'RUN_LOCKED',
        `The run directory ${dir} is in use by another training process (PID ${pid ?? '?'}, lock file ${RUN_LOCK_FILE}). Wait for it to finish, or train into another --out.`,
      );
    }
  }
  return () => {
    if (holder(file) === process.pid) unlinkSync(file);
  };
}
