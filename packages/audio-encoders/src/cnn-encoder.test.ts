import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { AudioEncoderInputError, CnnAudioEncoder } from './cnn-encoder.js';
import type { AudioEncoderConfig } from './config.js';
import { expectRelativelyClose, randomTensor } from './test-support.js';
import { TEST_BACKENDS, useTestBackend } from '@clapjs/test-backends';

// Small widths and inputs keep these fast; the shapes that matter are checked in architecture.test.ts.
const TINY: { config: AudioEncoderConfig; melBins: number; frames: number; outputDim: number }[] = [
  { config: { name: 'cnn6', width: 0.125 }, melBins: 16, frames: 20, outputDim: 64 },
  { config: { name: 'cnn10', width: 0.125 }, melBins: 16, frames: 20, outputDim: 64 },
  { config: { name: 'cnn14', width: 0.0625 }, melBins: 32, frames: 36, outputDim: 128 },
  {
    config: { name: 'cnn-small', channels: [4, 8], outputDim: 12 },
    melBins: 8,
    frames: 10,
    outputDim: 12,
  },
];

function build(config: AudioEncoderConfig, melBins: number, seed = 0): CnnAudioEncoder {
  return new CnnAudioEncoder(config, { melBins, rng: new Rng(seed) });
}

describe.each(TEST_BACKENDS)('CnnAudioEncoder on %s', (backend) => {
  it.each(TINY)(
    '$config.name gives [batch, outputDim] features',
    async ({ config, melBins, frames, outputDim }) => {
      await useTestBackend(backend);
      const encoder = build(config, melBins);
      expect(encoder.outputDim).toBe(outputDim);
      for (const batch of [1, 3]) {
        const y = encoder.encode(randomTensor([batch, frames, melBins, 1], 1) as tf.Tensor4D, {
          training: false,
        });
        expect(y.shape).toEqual([batch, outputDim]);
        expect(Array.from(await y.data()).every(Number.isFinite)).toBe(true);
        y.dispose();
      }
      encoder.dispose();
    },
  );

  it('every trainable weight gets a finite, non-zero gradient', async () => {
    await useTestBackend(backend);
    const encoder = build({ name: 'cnn10', width: 0.125, dropout: 0, blockDropout: 0 }, 16);
    const x = randomTensor([2, 20, 16, 1], 2) as tf.Tensor4D;
    const trainable = encoder.variables().filter((v) => v.trainable);
    const { value, grads } = tf.variableGrads(
      () => tf.mean(tf.square(encoder.encode(x, { training: true }))),
      trainable.map((v) => v.variable),
    );
    for (const v of trainable) {
      const g = await grads[v.variable.name]!.data();
      expect(g.every(Number.isFinite), v.path).toBe(true);
      expect(
        g.some((e) => e !== 0),
        v.path,
      ).toBe(true);
    }
    tf.dispose([x, value, ...Object.values(grads)]);
    encoder.dispose();
  });

  it('inference is deterministic; training uses batch statistics and dropout and updates moving statistics', async () => {
    await useTestBackend(backend);
    const encoder = build({ name: 'cnn-small', channels: [4, 8], outputDim: 12, dropout: 0.5 }, 8);
    const x = tf.add(randomTensor([4, 10, 8, 1], 3, 10), -40) as tf.Tensor4D; // log-mel-like values
    const stats = () =>
      encoder
        .variables()
        .filter((v) => !v.trainable)
        .map((v) => Array.from(v.variable.dataSync()));
    const before = stats();
    const a = await encoder.encode(x, { training: false }).data();
    const b = await encoder.encode(x, { training: false }).data();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(stats()).toEqual(before);
    const t1 = await encoder.encode(x, { training: true }).data();
    const t2 = await encoder.encode(x, { training: true }).data();
    expect(Array.from(t1)).not.toEqual(Array.from(t2)); // fresh dropout masks
    expect(Array.from(t1)).not.toEqual(Array.from(a));
    const after = stats();
    // bn0's running mean moved 2 × 10 % of the way towards the batch mean (about −40).
    expect(after[0]!.every((m) => m < -5 && m > -10)).toBe(true);
    expect(after).not.toEqual(before);
    tf.dispose(x);
    encoder.dispose();
  });

  it('20 training steps keep tf.memory().numTensors constant', async () => {
    await useTestBackend(backend);
    const encoder = build({ name: 'cnn-small', channels: [4, 8], outputDim: 12 }, 8);
    const x = randomTensor([2, 10, 8, 1], 4) as tf.Tensor4D;
    const trainable = encoder
      .variables()
      .filter((v) => v.trainable)
      .map((v) => v.variable);
    const step = () =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(
          () => tf.mean(encoder.encode(x, { training: true })),
          trainable,
        );
        for (const v of trainable) v.assign(tf.sub(v, tf.mul(grads[v.name]!, 0.01)));
      });
    step();
    const count = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) step();
    expect(tf.memory().numTensors).toBe(count);
    x.dispose();
    encoder.dispose();
  });

  it('trains on a batch of one at the minimum input size (1×1 after the last pooling): finite output and gradients', async () => {
    await useTestBackend(backend);
    const encoder = build({ name: 'cnn14', width: 0.0625 }, 32);
    const x = randomTensor([1, 32, 32, 1], 6) as tf.Tensor4D;
    const trainable = encoder
      .variables()
      .filter((v) => v.trainable)
      .map((v) => v.variable);
    const { value, grads } = tf.variableGrads(
      () => tf.mean(tf.square(encoder.encode(x, { training: true }))),
      trainable,
    );
    expect(Number.isFinite((await value.data())[0])).toBe(true);
    for (const g of Object.values(grads))
      expect((await g.data()).every(Number.isFinite)).toBe(true);
    expect(encoder.variables().every((v) => v.variable.dataSync().every(Number.isFinite))).toBe(
      true,
    );
    tf.dispose([x, value, ...Object.values(grads)]);
    encoder.dispose();
  });

  it('refuses input of the wrong shape with an error that says what to pass', async () => {
    await useTestBackend(backend);
    const encoder = build({ name: 'cnn-small', channels: [4, 8], outputDim: 12 }, 8);
    expect(() =>
      encoder.encode(tf.zeros([2, 10, 8]) as unknown as tf.Tensor4D, { training: false }),
    ).toThrow(AudioEncoderInputError);
    expect(() =>
      encoder.encode(tf.zeros([2, 10, 6, 1]) as tf.Tensor4D, { training: false }),
    ).toThrow(/\[batch, frames, 8, 1\]/);
    expect(() =>
      encoder.encode(tf.zeros([2, 3, 8, 1]) as tf.Tensor4D, { training: false }),
    ).toThrow(/at least one clip of 8 frames/);
    encoder.dispose();
  });
});

describe('across backends', () => {
  it('the same seed gives the same features on cpu and wasm', async () => {
    const run = async () => {
      const encoder = build({ name: 'cnn6', width: 0.125, classes: 5 }, 16, 42);
      const out = encoder.forward(randomTensor([2, 20, 16, 1], 5) as tf.Tensor4D, {
        training: false,
      });
      const values = [await out.embedding.data(), await out.clipwise!.data()];
      expect(out.clipwise!.shape).toEqual([2, 5]);
      encoder.dispose();
      return values;
    };
    await useTestBackend('cpu');
    const [e1, c1] = await run();
    await useTestBackend('wasm');
    const [e2, c2] = await run();
    expectRelativelyClose(e2!, e1!);
    expectRelativelyClose(c2!, c1!);
  });
});
