// The CPU training routes (cpu, wasm + @clapjs/kernels-wasm, wasm + @clapjs/kernels-native) train a
// real, small ClapModel (convolutions, BatchNorm, a text encoder, projections) for 1,000 steps
// without leaking a tensor: tf.memory().numTensors is the same after every step.
import * as tf from '@tensorflow/tfjs-core';
import { CPU_ROUTES, useTestBackend } from '@clapjs/test-backends';
import { describe, expect, it } from 'vitest';
import { Trainer } from './index.js';
import { TinyData, tinyModel } from './workers.fixture.js';

const STEPS = 1000;

const smallConvModel = () => tinyModel(5, { name: 'cnn-small', channels: [4, 8], outputDim: 16 });

describe.each(CPU_ROUTES)('training on the %s route', (route) => {
  it(`keeps tf.memory().numTensors constant across ${STEPS} trainer steps, and learns`, async () => {
    await useTestBackend(route);
    const model = await smallConvModel();
    const counts: number[] = [];
    const countTensors = {
      name: 'count-tensors',
      getConfig: () => ({ name: 'count-tensors' }),
      onStepEnd: () => void counts.push(tf.memory().numTensors),
    };
    const trainer = new Trainer(model, new TinyData(9, 8), {
      steps: STEPS,
      lr: 3e-3,
      callbacks: [countTensors],
    });
    const result = await trainer.fit();
    expect(counts).toHaveLength(STEPS);
    expect(new Set(counts.slice(1)).size).toBe(1);
    const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(result.losses.slice(-50))).toBeLessThan(0.7 * mean(result.losses.slice(0, 50)));
    trainer.dispose();
    model.dispose();
  }, 300_000);
});
