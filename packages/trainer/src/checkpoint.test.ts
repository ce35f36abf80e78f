import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '@clapjs/core';
import { listCheckpoints, readCheckpoint, removeStaleTemporaries } from './index.js';

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
});
