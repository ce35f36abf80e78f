import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create, selectBackend } from '@clapjs/core';
import type { BackendName, ContrastiveLoss } from '@clapjs/core';
import type { ClapModel } from '@clapjs/model';
import { lossPlugins } from '@clapjs/losses';
import { register } from '@clapjs/core';
import { GradientPool } from './gradient-pool.js';
import { shardRanges } from './gradient-protocol.js';
import { Trainer, TrainerError } from './index.js';
import { ToyData, ToyModel, toyLoss } from './toy.fixture.js';
import {
  FIXTURE_SETUP,
  FRAMES,
  MELS,
  MODEL_LOADER,
  TinyData,
  tinyModel,
  workerScript,
} from './workers.fixture.js';

let script = '';
let loss: ContrastiveLoss;
beforeAll(async () => {
  script = await workerScript();
  for (const plugin of lossPlugins) register(plugin);
  loss = create('loss', { name: 'symmetric-clap' }, {});
});

function maxAbs(values: Float32Array): number {
  return values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

/** Gradients on this thread, by variable path. */
function localGradients(
  model: ClapModel,
  batch: ReturnType<TinyData['batch']>,
): Map<string, Float32Array> {
  const trainable = model.variables().filter((v) => v.trainable);
  const { value, grads } = tf.tidy(() => {
    const logMel = tf.tensor4d(batch.logMel, [
      batch.captions.length,
      batch.frames,
      batch.melBins,
      1,
    ]);
    const tokens = model.tokenize(batch.captions);
    return tf.variableGrads(
      () => loss.call(model.forward(logMel, tokens, { training: true }).logits),
      trainable.map((v) => v.variable),
    );
  });
  const out = new Map(
    trainable.map((v) => [v.path, grads[v.variable.name]!.dataSync() as Float32Array]),
  );
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

describe('shardRanges', () => {
  it('splits contiguously with sizes differing by at most one', () => {
    expect(shardRanges(7, 3)).toEqual([
      { start: 0, rows: 3 },
      { start: 3, rows: 2 },
      { start: 5, rows: 2 },
    ]);
    expect(shardRanges(64, 2)).toEqual([
      { start: 0, rows: 32 },
      { start: 32, rows: 32 },
    ]);
  });
});

describe.each(['cpu', 'wasm'] as BackendName[])('gradient workers on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it('K = 2 and K = 3 gradients equal the single-thread gradients of the same batch', async () => {
    const model = await tinyModel();
    const batch = new TinyData(1, 9).batch(0);
    const reference = localGradients(model, batch);
    const statBefore = model
      .variables()
      .find((v) => v.path.endsWith('running_mean'))!
      .variable.dataSync()
      .slice();
    for (const workers of [2, 3]) {
      const pool = await GradientPool.start(model, {
        workers,
        backend,
        setup: [FIXTURE_SETUP],
        loss: { name: 'symmetric-clap' },
        loader: MODEL_LOADER,
        script,
      });
      try {
        const { value, grads } = await pool.gradients(batch);
        expect(Number.isFinite(value.dataSync()[0])).toBe(true);
        for (const v of model.variables().filter((x) => x.trainable)) {
          const ref = reference.get(v.path)!;
          const got = grads[v.variable.name]!.dataSync() as Float32Array;
          const tolerance = 1e-4 * Math.max(maxAbs(ref), 1e-6);
          const worst = ref.reduce((m, r, i) => Math.max(m, Math.abs(r - got[i]!)), 0);
          expect(worst, `${v.path} with ${workers} workers`).toBeLessThanOrEqual(tolerance);
        }
        tf.dispose([value, ...Object.values(grads)]);
      } finally {
        await pool.close();
      }
    }
    // The moving statistic is the workers' average: it moved from its start.
    const statAfter = model
      .variables()
      .find((v) => v.path.endsWith('running_mean'))!
      .variable.dataSync();
    expect(maxAbs(statAfter.map((x, i) => x - statBefore[i]!) as Float32Array)).toBeGreaterThan(0);
    model.dispose();
  });

  it('5 steps with workers 2 follow the single-thread loss curve', async () => {
    const curves: number[][] = [];
    const stats: Float32Array[] = [];
    for (const workers of [1, 2]) {
      const model = await tinyModel(5);
      const trainer = new Trainer(model, new TinyData(2, 8), {
        steps: 5,
        lr: 0.05,
        workers,
        workerSetup: [FIXTURE_SETUP],
        workerScript: script,
        modelLoader: MODEL_LOADER,
      });
      const result = await trainer.fit();
      curves.push([...result.losses]);
      stats.push(
        model
          .variables()
          .find((v) => v.path.endsWith('running_mean'))!
          .variable.dataSync() as Float32Array,
      );
      trainer.dispose();
      model.dispose();
    }
    const [one, two] = curves as [number[], number[]];
    expect(two).toHaveLength(5);
    two.forEach((l, i) => expect(Math.abs(l - one[i]!) / Math.abs(one[i]!)).toBeLessThan(1e-3));
    // Equal shards: the average of the shard means is the batch mean, so the statistic matches too.
    stats[1]!.forEach((x, i) => expect(x).toBeCloseTo(stats[0]![i]!, 4));
  });
});

describe('gradient workers with BatchNorm (cnn-small, cpu)', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('averages the moving statistics: the input BatchNorm matches single-thread training exactly', async () => {
    const batch = new TinyData(7, 8).batch(0);
    const runningStats: Map<string, Float32Array>[] = [];
    const losses: number[] = [];
    for (const workers of [1, 2]) {
      const model = await tinyModel(2, {
        name: 'cnn-small',
        channels: [4],
        outputDim: 8,
        dropout: 0,
      });
      const trainer = new Trainer(model, new TinyData(7, 8), {
        steps: 3,
        lr: 0.01,
        workers,
        workerScript: script,
        modelLoader: MODEL_LOADER,
      });
      losses.push(await trainer.trainStep({ ...batch, frames: FRAMES, melBins: MELS }));
      runningStats.push(
        new Map(
          model
            .variables()
            .filter((v) => !v.trainable)
            .map((v) => [v.path, v.variable.dataSync() as Float32Array]),
        ),
      );
      trainer.dispose();
      model.dispose();
    }
    const [one, two] = runningStats as [Map<string, Float32Array>, Map<string, Float32Array>];
    expect(one.size).toBeGreaterThanOrEqual(4);
    // bn0 normalises the input: the mean of the two shards' means is the batch mean.
    const bn0 = [...one.keys()].find((p) => p.includes('bn0') && p.endsWith('running_mean'))!;
    two.get(bn0)!.forEach((x, i) => expect(x).toBeCloseTo(one.get(bn0)![i]!, 5));
    // Every moving statistic was updated from the workers (none left at its initial 0 or 1).
    for (const [path, values] of two)
      expect(
        values.some((x) => x !== 0 && x !== 1),
        path,
      ).toBe(true);
    // The loss differs only through per-shard BatchNorm statistics.
    expect(Math.abs(losses[1]! - losses[0]!)).toBeLessThan(0.1 * losses[0]!);
  });
});

describe('gradient workers: lifecycle and errors', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });
  afterAll(async () => {
    await selectBackend('cpu');
  });

  it('keeps tf.memory().numTensors constant across steps on the main thread and in the workers', async () => {
    const model = await tinyModel();
    const data = new TinyData(3, 8);
    const trainer = new Trainer(model, data, {
      steps: 10,
      lr: 0.01,
      workers: 2,
      workerSetup: [FIXTURE_SETUP],
      workerScript: script,
      modelLoader: MODEL_LOADER,
    });
    for (let i = 0; i < 2; i++) await trainer.trainStep(data.batch(i));
    const before = tf.memory().numTensors;
    const pool = await (trainer as unknown as { pool: Promise<GradientPool> }).pool;
    const workerTensors = pool.lastTimings!.workers.map((w) => w.tensors);
    for (let i = 2; i < 6; i++) await trainer.trainStep(data.batch(i));
    expect(tf.memory().numTensors).toBe(before);
    // ...and in each worker.
    expect(pool.lastTimings!.workers.map((w) => w.tensors)).toEqual(workerTensors);
    trainer.dispose();
    model.dispose();
  });

  it('reports a worker that cannot start as a TrainerError naming the worker and the cause', async () => {
    const model = await tinyModel();
    const trainer = new Trainer(model, new TinyData(4, 8), {
      steps: 3,
      workers: 2,
      workerSetup: ['/nonexistent/kernel-pack/register.js'],
      workerScript: script,
      modelLoader: MODEL_LOADER,
    });
    const error = await trainer.fit().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainerError);
    expect((error as TrainerError).code).toBe('WORKER_FAILED');
    expect((error as Error).message).toMatch(
      /Gradient worker [01] of 2 failed: cannot import the setup module "\/nonexistent\/kernel-pack\/register\.js"/,
    );
    trainer.dispose();
    model.dispose();
  });

  it('needs a model loader for workers, and reports one that exports no loadModel', async () => {
    const model = await tinyModel();
    expect(
      () => new Trainer(model, new TinyData(4, 8), { steps: 3, workers: 2, workerScript: script }),
    ).toThrow(/workers 2 needs modelLoader.*@clapjs\/model\/load/);
    const trainer = new Trainer(model, new TinyData(4, 8), {
      steps: 3,
      workers: 2,
      workerSetup: [FIXTURE_SETUP],
      workerScript: script,
      modelLoader: FIXTURE_SETUP,
    });
    const error = await trainer.fit().catch((e: unknown) => e);
    expect((error as TrainerError).code).toBe('WORKER_FAILED');
    expect((error as Error).message).toContain(
      `the model loader "${FIXTURE_SETUP}" exports no loadModel(dir) function`,
    );
    trainer.dispose();
    model.dispose();
  });

  it('fails a step cleanly when a worker cannot compute it, then the others are released', async () => {
    const model = await tinyModel();
    const pool = await GradientPool.start(model, {
      workers: 2,
      backend: 'cpu',
      setup: [FIXTURE_SETUP],
      loss: { name: 'symmetric-clap' },
      loader: MODEL_LOADER,
      script,
    });
    const good = new TinyData(5, 8).batch(0);
    // Worker 1 gets rows of the wrong width: its forward pass throws; worker 0 waits at the barrier until released.
    const bad = { ...good, melBins: 4, frames: 32 };
    const error = await pool.gradients(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainerError);
    expect((error as TrainerError).code).toBe('WORKER_FAILED');
    await expect(pool.gradients(good)).rejects.toBe(error);
    await pool.close();
    model.dispose();
  });

  it('refuses more workers than batch items, and workers without save()', async () => {
    const model = await tinyModel();
    const trainer = new Trainer(model, new TinyData(6, 2), {
      steps: 2,
      workers: 3,
      workerSetup: [FIXTURE_SETUP],
      workerScript: script,
      modelLoader: MODEL_LOADER,
    });
    await expect(trainer.fit()).rejects.toThrow(
      /3 gradient workers need at least 3 items per batch, but this batch has 2/,
    );
    trainer.dispose();
    model.dispose();
    const toy = new ToyModel(1);
    expect(() => new Trainer(toy, new ToyData(1), { steps: 2, loss: toyLoss, workers: 2 })).toThrow(
      /needs a model with save/,
    );
    expect(() => new Trainer(toy, new ToyData(1), { steps: 2, loss: toyLoss, workers: 0 })).toThrow(
      /positive integer/,
    );
    toy.dispose();
  });
});

describe('gradient workers from the builds', () => {
  // The package's test task runs after its build (turbo.json), so dist/ is the current source.
  const dist = fileURLToPath(new URL('../dist/index.cjs', import.meta.url));
  it.runIf(existsSync(dist))(
    'the CJS build finds dist/gradient-worker.js and trains; the process exits',
    async () => {
      const fixture = fileURLToPath(new URL('./cjs-workers.fixture.cjs', import.meta.url));
      const { stdout } = await promisify(execFile)(process.execPath, [fixture], {
        timeout: 60_000,
      });
      const result = JSON.parse(stdout.split('\n').find((l) => l.startsWith('{'))!) as {
        losses: number[];
      };
      expect(result.losses).toHaveLength(3);
      for (const loss of result.losses) expect(Number.isFinite(loss)).toBe(true);
    },
  );
});
