import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create, register, selectBackend } from '@clapjs/core';
import type { ContrastiveLoss } from '@clapjs/core';
import { lossPlugins } from '@clapjs/losses';
import { ClapModel } from '@clapjs/model';
import { GradientPool } from './gradient-pool.js';
import {
  CAPTIONS,
  FIXTURE_SETUP,
  MELS,
  MODEL_LOADER,
  TinyData,
  workerScript,
} from './workers.fixture.js';

/**
 * A similarity with one logit scale per direction (imported Hugging Face models): the trainer's
 * step and its gradient workers hand the loss both readings, so both scales train.
 */
describe('training a per-direction similarity', () => {
  let model: ClapModel;
  let loss: ContrastiveLoss;
  let script = '';
  const batch = new TinyData(1, 6).batch(0);

  beforeAll(async () => {
    await selectBackend('cpu');
    for (const plugin of lossPlugins) register(plugin);
    loss = create('loss', { name: 'symmetric-clap' }, {});
    script = await workerScript();
    model = await ClapModel.create(
      {
        audio: { preset: 'fast', nMels: MELS, clipSeconds: 0.5 },
        audioEncoder: { name: 'test-mean-pool', dim: 16 },
        textEncoder: { name: 'bag-of-embeddings', width: 16 },
        tokenizer: { name: 'word', maxLength: 6 },
        audioProjection: { name: 'linear', dim: 8 },
        textProjection: { name: 'linear', dim: 8 },
        similarity: { name: 'cosine', logitScales: 'per-direction', initScale: 1.5 },
        loss: { name: 'symmetric-clap' },
      } as never,
      { seed: 4, captions: CAPTIONS },
    );
    // Different scales, so that a loss reading one matrix twice would give other gradients.
    const scaleA = model.variables().find((v) => v.path === 'similarity/logit_scale_a')!;
    scaleA.variable.assign(tf.scalar(2.5));
  });
  afterAll(() => model.dispose());

  function localGradients(): { value: number; grads: Map<string, Float32Array> } {
    const trainable = model.variables().filter((v) => v.trainable);
    const { value, grads } = tf.tidy(() => {
      const logMel = tf.tensor4d(batch.logMel, [6, batch.frames, batch.melBins, 1]);
      return tf.variableGrads(
        () => {
          const out = model.forward(logMel, model.tokenize(batch.captions), { training: true });
          return loss.call(out.logits, out.audioToTextLogits);
        },
        trainable.map((v) => v.variable),
      );
    });
    const out = new Map(
      trainable.map((v) => [v.path, grads[v.variable.name]!.dataSync() as Float32Array]),
    );
    const loss0 = value.dataSync()[0]!;
    tf.dispose([value, ...Object.values(grads)]);
    return { value: loss0, grads: out };
  }

  it('both logit scales get a gradient, each from its direction', () => {
    const { grads } = localGradients();
    expect(Math.abs(grads.get('similarity/logit_scale_a')![0]!)).toBeGreaterThan(1e-6);
    expect(Math.abs(grads.get('similarity/logit_scale_t')![0]!)).toBeGreaterThan(1e-6);
  });

  it('two gradient workers give the single-thread loss and gradients', async () => {
    const reference = localGradients();
    const pool = await GradientPool.start(model, {
      workers: 2,
      backend: 'cpu',
      setup: [FIXTURE_SETUP],
      loader: MODEL_LOADER,
      loss: { name: 'symmetric-clap' },
      script,
    });
    try {
      const { value, grads } = await pool.gradients(batch);
      expect(value.dataSync()[0]).toBeCloseTo(reference.value, 5);
      for (const v of model.variables().filter((x) => x.trainable)) {
        const want = reference.grads.get(v.path)!;
        const got = grads[v.variable.name]!.dataSync();
        const peak = Math.max(...Array.from(want, Math.abs), 1e-6);
        const worst = want.reduce((m, r, i) => Math.max(m, Math.abs(r - got[i]!)), 0);
        expect(worst, v.path).toBeLessThanOrEqual(1e-4 * peak);
      }
      tf.dispose([value, ...Object.values(grads)]);
    } finally {
      await pool.close();
    }
  });
});
