import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '@clapjs/core';
import type { ContrastiveLoss } from '@clapjs/core';
import { evaluate, listCheckpoints, readCheckpoint, Trainer, TrainerError } from './index.js';
import './register.js';
import { ToyData, ToyModel, toyLoss } from './toy.fixture.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'clapjs-trainer-'));
  dirs.push(dir);
  return dir;
}

beforeAll(async () => {
  await selectBackend('cpu');
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function run(steps: number, seed = 1): Promise<number[]> {
  const model = new ToyModel(seed);
  const trainer = new Trainer(model, new ToyData(seed), {
    steps,
    lr: 0.05,
    loss: toyLoss,
    rngs: { model: model.rng },
  });
  const result = await trainer.fit();
  trainer.dispose();
  model.dispose();
  return [...result.losses];
}

describe('Trainer', () => {
  it('learns: the loss falls well below ln N', async () => {
    const losses = await run(60);
    const tail = losses.slice(-10).reduce((a, b) => a + b, 0) / 10;
    expect(tail).toBeLessThan(0.5 * Math.log(8));
    expect(losses[0]).toBeGreaterThan(tail);
  });

  it('is deterministic: same seed, same losses', async () => {
    expect(await run(12, 3)).toEqual(await run(12, 3));
  });

  it('keeps tf.memory().numTensors constant across steps', async () => {
    const model = new ToyModel(2);
    const data = new ToyData(2);
    const trainer = new Trainer(model, data, { steps: 20, lr: 0.01, loss: toyLoss });
    await trainer.fit(3);
    const before = tf.memory().numTensors;
    await trainer.fit(10);
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
    model.dispose();
  });

  it('resumes exactly: N straight equals N/2, checkpoint, resume, N/2', async () => {
    const straight = await run(16, 5);
    const out = tempDir();
    const first = new ToyModel(5);
    const t1 = new Trainer(first, new ToyData(5), {
      steps: 16,
      lr: 0.05,
      loss: toyLoss,
      outDir: out,
      rngs: { model: first.rng },
    });
    const a = await t1.fit(8);
    await t1.saveCheckpoint();
    t1.dispose();
    first.dispose();
    // A fresh process-like start: new model (different init seed), new data, restored from disk.
    const second = new ToyModel(99);
    const t2 = new Trainer(second, new ToyData(5), {
      steps: 16,
      lr: 0.05,
      loss: toyLoss,
      outDir: out,
      rngs: { model: second.rng },
    });
    expect(await t2.resume()).toBe(8);
    const b = await t2.fit();
    expect([...a.losses, ...b.losses]).toEqual(straight);
    t2.dispose();
    second.dispose();
  });

  it("reports the similarity's logitScale() each step, whatever the model calls its variable", async () => {
    const model = new ToyModel(6, 8, 'similarity/temperature');
    const seen: [number, number][] = [];
    const trainer = new Trainer(model, new ToyData(6), {
      steps: 3,
      lr: 0.05,
      loss: toyLoss,
      callbacks: [
        {
          name: 'probe',
          getConfig: () => ({ name: 'probe' }),
          async onStepEnd(info) {
            const s = model.variables()[3]!.variable;
            seen.push([info.logitScale, Math.exp((await s.data())[0]!)]);
          },
        },
      ],
    });
    await trainer.fit();
    expect(seen).toHaveLength(3);
    for (const [reported, actual] of seen) expect(reported).toBeCloseTo(actual, 4);
    expect(seen[0]![0]).not.toBeCloseTo(10, 6); // the step moved s, and the report followed it
    trainer.dispose();
    model.dispose();
  });

  it('checkpoints carry the metrics of their own step: saved after eval, whatever the callback order', async () => {
    const out = tempDir();
    const model = new ToyModel(7);
    const evaluated = new Map<number, number>();
    const trainer = new Trainer(model, new ToyData(7), {
      steps: 6,
      lr: 0.05,
      loss: toyLoss,
      outDir: out,
      keepLast: 10,
      validation: () => new ToyData(11, 8, 32),
      callbacks: [
        { name: 'checkpoint', every: 2 },
        { name: 'eval', every: 4 },
        {
          name: 'probe',
          getConfig: () => ({ name: 'probe' }),
          onEvalEnd: (info) => void evaluated.set(info.step, info.metrics['t2a/R@10']!),
        },
      ],
    });
    await trainer.fit();
    expect([...evaluated.keys()]).toEqual([4, 6]);
    const metricsAt = async (step: number) =>
      (await readCheckpoint(join(out, 'checkpoints', `step-0000000${step}`))).metrics;
    // Step 2 was not evaluated: no metrics (before, the checkpoint ran first and had none either,
    // but step 4's carried nothing and step 6's carried step 4's).
    expect(await metricsAt(2)).toBeUndefined();
    expect((await metricsAt(4))?.['t2a/R@10']).toBe(evaluated.get(4));
    expect((await metricsAt(6))?.['t2a/R@10']).toBe(evaluated.get(6));
    trainer.dispose();
    model.dispose();
  });

  it('a resumed run keeps a better stored best (best.json is restored on resume)', async () => {
    const out = tempDir();
    const options = {
      steps: 8,
      lr: 0.05,
      loss: toyLoss,
      outDir: out,
      keepLast: 1,
      validation: () => new ToyData(11, 8, 32),
      callbacks: [
        { name: 'eval', every: 2 },
        { name: 'checkpoint', every: 2 },
      ],
    };
    const first = new ToyModel(8);
    const firstTrainer = new Trainer(first, new ToyData(8), options);
    await firstTrainer.fit(4);
    firstTrainer.dispose();
    first.dispose();
    // A better best than this run will reach, recorded for step 4 (kept by pruning as the best).
    const bestFile = join(out, 'checkpoints', 'best.json');
    const stored = { step: 4, dir: 'step-00000004', metric: 't2a/R@10', value: 0.999 };
    writeFileSync(bestFile, JSON.stringify(stored));

    const second = new ToyModel(8);
    const trainer = new Trainer(second, new ToyData(8), options);
    expect(await trainer.resume()).toBe(4);
    await trainer.fit();
    expect(JSON.parse(readFileSync(bestFile, 'utf8'))).toEqual(stored);
    const kept = (await listCheckpoints(join(out, 'checkpoints'))).map((c) => c.step);
    expect(kept).toEqual([4, 8]);
    trainer.dispose();
    second.dispose();
  });

  it('stores the weights once per checkpoint, even for a model that can save itself', async () => {
    const out = tempDir();
    const model = new ToyModel(12);
    // A model with save(dir), as ClapModel has: a checkpoint must not add a second copy.
    let saves = 0;
    const savable = Object.assign(model, {
      save: async (dir: string) => {
        saves++;
        const { mkdir, writeFile } = await import('node:fs/promises');
        await mkdir(dir, { recursive: true });
        const data = await Promise.all(model.variables().map((v) => v.variable.data()));
        await writeFile(
          join(dir, 'weights.bin'),
          Buffer.concat(data.map((d) => Buffer.from(d.buffer))),
        );
      },
    });
    const trainer = new Trainer(savable, new ToyData(12), {
      steps: 2,
      lr: 0.05,
      loss: toyLoss,
      outDir: out,
    });
    await trainer.fit();
    const dir = await trainer.saveCheckpoint();
    expect(readdirSync(dir).sort()).toEqual(['optimizer.bin', 'state.json', 'weights.bin']);
    expect(saves).toBe(0);
    const size = model.variables().reduce((n, v) => n + v.variable.size, 0);
    expect(statSync(join(dir, 'weights.bin')).size).toBe(4 * size);
    trainer.dispose();
    model.dispose();
  });

  it('keeps the last K checkpoints and the best one', async () => {
    const out = tempDir();
    const model = new ToyModel(4);
    const trainer = new Trainer(model, new ToyData(4), {
      steps: 10,
      lr: 0.05,
      loss: toyLoss,
      outDir: out,
      keepLast: 2,
      validation: () => new ToyData(11, 8, 32),
      callbacks: [],
    });
    for (let i = 0; i < 5; i++) {
      await trainer.fit(trainer.step + 2);
      if (i === 0) await trainer.validate();
      await trainer.saveCheckpoint();
    }
    const kept = (await listCheckpoints(join(out, 'checkpoints'))).map((c) => c.step);
    expect(kept).toEqual([2, 8, 10]);
    const ckpt = await readCheckpoint(join(out, 'checkpoints', 'step-00000002'));
    expect(ckpt.metrics?.['t2a/R@10']).toBeGreaterThan(0);
    trainer.dispose();
    model.dispose();
  });

  it('skips non-finite steps, leaves the weights alone, and stops after K with a clear error', async () => {
    const model = new ToyModel(6);
    const nanLoss: ContrastiveLoss = {
      name: 'nan',
      getConfig: () => ({ name: 'nan' }),
      call: (logits) => tf.tidy(() => tf.mul(toyLoss.call(logits), NaN) as tf.Scalar),
    };
    const trainer = new Trainer(model, new ToyData(6), {
      steps: 10,
      loss: nanLoss,
      maxBadSteps: 3,
    });
    const before = model.variables()[0]?.variable.dataSync().slice();
    const error = await trainer.fit().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainerError);
    expect((error as TrainerError).code).toBe('NON_FINITE_LOSS');
    expect((error as Error).message).toMatch(
      /3 steps had a non-finite loss.*Lower the learning rate/,
    );
    expect(model.variables()[0]?.variable.dataSync()).toEqual(before);
    trainer.dispose();
    model.dispose();
  });

  it('refuses empty data and a bad step count', async () => {
    const model = new ToyModel(7);
    expect(() => new Trainer(model, new ToyData(7), { steps: 0, loss: toyLoss })).toThrow(
      /positive integer/,
    );
    const trainer = new Trainer(model, new ToyData(7, 8, 0), { steps: 3, loss: toyLoss });
    await expect(trainer.fit()).rejects.toMatchObject({ code: 'EMPTY_DATA' });
    trainer.dispose();
    model.dispose();
  });

  it('says so when there is nothing to resume', async () => {
    const model = new ToyModel(8);
    const trainer = new Trainer(model, new ToyData(8), {
      steps: 3,
      loss: toyLoss,
      outDir: tempDir(),
    });
    await expect(trainer.resume()).rejects.toMatchObject({ code: 'CHECKPOINT_MISSING' });
    trainer.dispose();
    model.dispose();
  });

  it('evaluates retrieval and zero-shot above chance after training, and omits zero-shot with no matching clip', async () => {
    const model = new ToyModel(9);
    const trainer = new Trainer(model, new ToyData(9), { steps: 40, lr: 0.05, loss: toyLoss });
    await trainer.fit();
    const result = await evaluate(model, new ToyData(12, 8, 64), { templates: ['a {label}'] });
    expect(result.items).toBe(64);
    expect(result.metrics['t2a/R@10']).toBeGreaterThan(result.metrics['chance/R@10'] ?? 1);
    expect(result.zeroShot?.top1).toBeGreaterThan(2 * (result.zeroShot?.chance ?? 1));
    expect(result.sample?.logits).toHaveLength(8);
    const none = await evaluate(model, new ToyData(12, 8, 16), { classes: ['not a label'] });
    expect(none.zeroShot).toBeUndefined();
    expect(none.metrics['zeroshot/top1']).toBeUndefined();
    trainer.dispose();
    model.dispose();
  });
});
