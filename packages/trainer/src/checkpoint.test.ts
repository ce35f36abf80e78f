import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { selectBackend } from '@clapjs/core';
import {
  listCheckpoints,
  readCheckpoint,
  removeCheckpoint,
  removeStaleTemporaries,
  TrainerError,
  writeCheckpoint,
} from './index.js';

/** When set, checkpoint writes of weights.bin go to /dev/full instead (a real ENOSPC). */
const fault = vi.hoisted(() => ({ full: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof FsPromises>();
  const writeFile: typeof real.writeFile = (file, ...rest) =>
    real.writeFile(
      fault.full && typeof file === 'string' && file.endsWith('weights.bin') ? '/dev/full' : file,
      ...rest,
    );
  return { ...real, default: { ...real, writeFile }, writeFile };
});

const root = mkdtempSync(join(tmpdir(), 'clapjs-ckpt-'));
beforeAll(async () => {
  await selectBackend('cpu');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('checkpoints', () => {
  // Needs dist/ (the child runs plain Node): CI builds before testing.
  it.skipIf(!existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url))))(
    'survive kill -9 during a write: the previous checkpoint stays complete and loadable',
    async () => {
      const child = spawn(
        process.execPath,
        [fileURLToPath(new URL('./checkpoint-crash.fixture.mjs', import.meta.url)), root],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      // Wait until a later write is in progress (its temporary directory exists), then kill.
      while (!readdirSync(root).some((n) => n.startsWith('.tmp-')))
        await new Promise((r) => setTimeout(r, 1));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      expect(readdirSync(root).some((n) => n.startsWith('.tmp-'))).toBe(true);
      const complete = await listCheckpoints(root);
      expect(complete.length).toBeGreaterThanOrEqual(1);
      for (const c of complete) {
        const ckpt = await readCheckpoint(c.dir);
        const small = {
          path: 'small',
          variable: tf.variable(tf.zeros([3])),
          trainable: true,
          decay: false,
        };
        const big = {
          path: 'big',
          variable: tf.variable(tf.zeros([4_000_000])),
          trainable: true,
          decay: true,
        };
        ckpt.restoreWeights([big, small]);
        expect(Array.from(small.variable.dataSync())).toEqual([7, 7, 7]);
        big.variable.dispose();
        small.variable.dispose();
      }
      await removeStaleTemporaries(root);
      expect(readdirSync(root).some((n) => n.startsWith('.tmp-'))).toBe(false);
    },
  );

  it('names a missing checkpoint clearly', async () => {
    await expect(readCheckpoint(join(root, 'nope'))).rejects.toThrow(
      /No checkpoint at .*state\.json is missing/,
    );
  });

  it('a full disk while writing is a one-line TrainerError and keeps the previous checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clapjs-ckpt-full-'));
    const weight = {
      path: 'w',
      variable: tf.variable(tf.fill([4], 3)),
      trainable: true,
      decay: false,
    };
    await writeCheckpoint(join(dir, 'step-00000001'), [weight], undefined, { step: 1 });
    // The weights go to /dev/full, which answers every write with a real ENOSPC from the kernel.
    fault.full = true;
    const error = await writeCheckpoint(join(dir, 'step-00000002'), [weight], undefined, {
      step: 2,
    })
      .catch((e: unknown) => e)
      .finally(() => (fault.full = false));
    weight.variable.dispose();
    expect(error).toBeInstanceOf(TrainerError);
    expect((error as TrainerError).code).toBe('CHECKPOINT_WRITE');
    expect((error as Error).message).toMatch(/step 2 .*ENOSPC.*earlier checkpoints .* are intact/);
    expect((error as Error).message).not.toContain('\n');
    expect(readdirSync(dir)).toEqual(['step-00000001']);
    expect((await readCheckpoint(join(dir, 'step-00000001'))).step).toBe(1);
    rmSync(dir, { recursive: true, force: true });
  });

  it('deleting is all-or-nothing; a half-deleted checkpoint left by a kill is cleaned up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clapjs-ckpt-prune-'));
    const weight = {
      path: 'w',
      variable: tf.variable(tf.zeros([2])),
      trainable: true,
      decay: false,
    };
    await writeCheckpoint(join(dir, 'step-00000001'), [weight], undefined, { step: 1 });
    await writeCheckpoint(join(dir, 'step-00000002'), [weight], undefined, { step: 2 });
    weight.variable.dispose();
    await removeCheckpoint(join(dir, 'step-00000001'));
    expect(readdirSync(dir)).toEqual(['step-00000002']);
    // What a kill during a plain recursive delete leaves: the state file gone, data still there.
    mkdirSync(join(dir, 'step-00000000'));
    writeFileSync(join(dir, 'step-00000000', 'weights.bin'), new Uint8Array(8));
    expect((await listCheckpoints(dir)).map((c) => c.step)).toEqual([2]);
    await removeStaleTemporaries(dir);
    expect(readdirSync(dir)).toEqual(['step-00000002']);
    rmSync(dir, { recursive: true, force: true });
  });
});
