import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ClapModel } from './index.js';
import { CAPTIONS, inlineLoss, makeClips, tinyConfig } from './test-helpers.js';
import { TEST_BACKENDS, useTestBackend } from '@clapjs/test-backends';

describe.each(TEST_BACKENDS)('memory on %s', (backend) => {
  it('100 forward + backward passes of a full ClapModel keep the tensor count constant', async () => {
    await useTestBackend(backend);
    // Shorter clips than the other tests: 100 steps on the pure-JS cpu backend must stay quick.
    const config = { ...tinyConfig(), audio: { preset: 'fast', clipSeconds: 0.25, nMels: 32 } };
    const model = await ClapModel.create(config, { seed: 3, captions: CAPTIONS });
    const logMel = model.logMelBatch(makeClips(3, 0.25));
    const tokens = model.tokenize(CAPTIONS.slice(0, 3));
    const trainable = model
      .variables()
      .filter((v) => v.trainable)
      .map((v) => v.variable);
    const optimizer = tf.train.adam(1e-3);
    const step = () => {
      tf.tidy(() => {
        const { grads } = tf.variableGrads(
          () =>
            inlineLoss('symmetric-clap', model.forward(logMel, tokens, { training: true }).logits),
          trainable,
        );
        optimizer.applyGradients(grads as Parameters<typeof optimizer.applyGradients>[0]);
      });
      model.afterUpdate();
    };
    step(); // creates the optimizer's moment variables
    const counts: number[] = [];
    for (let i = 0; i < 100; i++) {
      step();
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size, `tensor counts ${counts[0]} … ${counts[99]}`).toBe(1);
    optimizer.dispose();
    tf.dispose([logMel, tokens.ids, tokens.mask]);
    model.dispose();
  });
});
