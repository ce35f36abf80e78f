// The run directory's guards, in process: the lock (live vs stale holders), the checkpoint
// policy (refuse, --overwrite moving old checkpoints aside until the new run has saved one,
// --resume STEP), and metrics.jsonl trimmed to one line per step after a resume.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareRunDirectory, trimMetricsAfter } from '../src/run-dir.js';
import { lockRunDirectory, RUN_LOCK_FILE } from '../src/run-lock.js';
import { tempDir } from './helpers.js';

/** A fake complete checkpoint (only its state file matters to the run directory). */
function checkpoint(out: string, step: number): void {
  const dir = join(out, 'checkpoints', `step-${String(step).padStart(8, '0')}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'state.json'), '{}');
}

const quiet = () => {};

describe('run directory', () => {
  it('one lock at a time; a lock whose process is gone is taken over', () => {
    const out = tempDir();
    const release = lockRunDirectory(out);
    expect(readFileSync(join(out, RUN_LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    expect(() => lockRunDirectory(out)).toThrow(/in use by another training process/);
    release();
    expect(existsSync(join(out, RUN_LOCK_FILE))).toBe(false);
    // kill -9 leaves the lock behind; its PID no longer runs.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    }).stdout;
    writeFileSync(join(out, RUN_LOCK_FILE), `${dead}\n`);
    lockRunDirectory(out)();
  });

  it('a fresh run refuses a directory with checkpoints; --overwrite deletes them only after the first new one', async () => {
    const out = tempDir();
    checkpoint(out, 100);
    expect(() => prepareRunDirectory(out, {}, quiet)).toThrow(
      /already holds 1 checkpoint\(s\) .*latest step-00000100/,
    );
    expect(existsSync(join(out, RUN_LOCK_FILE))).toBe(false);
    const prepared = prepareRunDirectory(out, { overwrite: true }, quiet);
    const aside = readdirSync(out).find((n) => n.startsWith('checkpoints.replaced-'));
    expect(aside).toBeDefined();
    const [drop] = prepared.callbacks;
    await drop?.onStepEnd?.({} as never); // no new checkpoint yet: the old ones stay
    expect(existsSync(join(out, aside!, 'step-00000100', 'state.json'))).toBe(true);
    checkpoint(out, 1);
    await drop?.onStepEnd?.({} as never);
    expect(existsSync(join(out, aside!))).toBe(false);
    prepared.release();
  });

  it('--resume STEP picks that checkpoint, and names the ones there when it is missing', () => {
    const out = tempDir();
    checkpoint(out, 4);
    checkpoint(out, 8);
    const prepared = prepareRunDirectory(out, { resume: '4' }, quiet);
    expect(prepared.resumeFrom).toBe(join(out, 'checkpoints', 'step-00000004'));
    prepared.release();
    expect(() => prepareRunDirectory(out, { resume: '6' }, quiet)).toThrow(
      /Cannot resume from .*step-00000006.*step-00000004, step-00000008/,
    );
  });

  it('after resuming at step N, metrics.jsonl keeps only the lines up to N (no duplicates)', () => {
    const file = join(tempDir(), 'metrics.jsonl');
    const line = (type: string, step: number) => JSON.stringify({ type, step });
    writeFileSync(
      file,
      [line('step', 1), line('memory', 1), line('step', 2), line('eval', 2), line('step', 3)]
        .map((l) => `${l}\n`)
        .join('') + '{"type":"step","st',
    );
    trimMetricsAfter(file, 2);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toEqual([
      line('step', 1),
      line('memory', 1),
      line('step', 2),
      line('eval', 2),
    ]);
  });
});
