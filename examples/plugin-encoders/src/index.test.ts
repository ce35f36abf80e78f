import * as tf from '@tensorflow/tfjs-core';
import { Rng, create, get, selectBackend } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import './index.js';

describe.each(['cpu', 'wasm'] as const)('example plugins on %s', (backend) => {
  it('registers both encoders under their names', () => {
    expect(get('audio-encoder', 'frame-attention').origin).toBe('clapjs-example-plugin-encoders');
    expect(get('text-encoder', 'position-max').origin).toBe('clapjs-example-plugin-encoders');
  });

  it('encodes audio and trains every weight', async () => {
    await selectBackend(backend);
    const encoder = create(
      'audio-encoder',
      { name: 'frame-attention', hidden: 8, outputDim: 4 },
      { melBins: 6, rng: new Rng(1) },
    );
    const logMel = tf.tensor4d(new Rng(2).normalArray(2 * 5 * 6), [2, 5, 6, 1]);
    expect(encoder.encode(logMel, { training: true }).shape).toEqual([2, 4]);
    const { grads } = tf.variableGrads(() =>
      tf.sum(tf.square(encoder.encode(logMel, { training: true }))),
    );
    for (const v of encoder.variables()) {
      expect(tf.max(tf.abs(grads[v.variable.name]!)).dataSync()[0]).toBeGreaterThan(0);
    }
    encoder.dispose();
  });

  it('encodes text ignoring padded positions', async () => {
    await selectBackend(backend);
    const encoder = create(
      'text-encoder',
      { name: 'position-max', width: 8, outputDim: 4 },
      { vocabSize: 10, maxLength: 5, rng: new Rng(3) },
    );
    const mask = tf.tensor2d([1, 1, 1, 0, 0], [1, 5]);
    const a = encoder.encode(
      { ids: tf.tensor2d([2, 3, 4, 0, 0], [1, 5], 'int32'), mask },
      { training: false },
    );
    const b = encoder.encode(
      { ids: tf.tensor2d([2, 3, 4, 9, 7], [1, 5], 'int32'), mask },
      { training: false },
    );
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(a.shape).toEqual([1, 4]);
    encoder.dispose();
  });
});
