import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { TEST_BACKENDS, useTestBackend } from '@clapjs/test-backends';
import { expectClose } from '@clapjs/config/expect-close';
import { infoNCE, LossInputError, symmetricClapLoss } from './index.js';

// The readable form: mean over i of −log softmax(C)_ii along rows (axis 1) or columns (axis 0).
const plainCE = (c: tf.Tensor2D, axis: 0 | 1) =>
  tf.tidy(() => {
    const n = c.shape[0];
    const logProbabilities = tf.sub(c, tf.logSumExp(c, axis, true));
    return tf.neg<tf.Scalar>(tf.mean(tf.sum(tf.mul(logProbabilities, tf.eye(n)), axis)));
  });

const textToAudio = () => tf.tensor2d([2.1, -0.4, 0.9, 0.3, 1.7, -1.2, -0.8, 0.6, 2.4], [3, 3]);
// The same cosines read with another scale: a per-direction similarity's audio→text matrix.
const audioToText = (t: tf.Tensor2D) => tf.mul<tf.Tensor2D>(t, 2.5);

describe.each(TEST_BACKENDS)('two-scale symmetric CLAP loss on %s', (backend) => {
  it('scores the rows of the text→audio reading and the columns of the audio→text one', async () => {
    await useTestBackend(backend);
    const t = textToAudio();
    const a = audioToText(t);
    const loss = (x: tf.Tensor, y: tf.Tensor) =>
      symmetricClapLoss(x as tf.Tensor2D, y as tf.Tensor2D);
    const plain = (x: tf.Tensor, y: tf.Tensor) =>
      tf.mul<tf.Scalar>(tf.add(plainCE(x as tf.Tensor2D, 1), plainCE(y as tf.Tensor2D, 0)), 0.5);
    const ours = tf.valueAndGrads(loss)([t, a]);
    const want = tf.valueAndGrads(plain)([t, a]);
    expectClose(await ours.value.data(), await want.value.data(), 'loss', { relative: 1e-6 });
    for (const i of [0, 1])
      expectClose(await ours.grads[i]!.data(), await want.grads[i]!.data(), `gradient ${i}`, {
        relative: 1e-5,
        absolute: 1e-7,
      });
    // Not the one-matrix loss of either reading: the scales matter.
    const one = symmetricClapLoss(t);
    expect(Math.abs(ours.value.dataSync()[0]! - one.dataSync()[0]!)).toBeGreaterThan(1e-2);
    // infonce('audio-to-text') reads the columns of the audio→text matrix.
    const cols = infoNCE(t, 'audio-to-text', a);
    expectClose(await cols.data(), await plainCE(a, 0).data(), 'infonce', { relative: 1e-6 });
    tf.dispose([t, a, one, cols, ours.value, want.value, ...ours.grads, ...want.grads]);
  });

  it('the same matrix twice gives the one-matrix loss', async () => {
    await useTestBackend(backend);
    const t = textToAudio();
    const twice = symmetricClapLoss(t, t);
    const once = symmetricClapLoss(t);
    expectClose(await twice.data(), await once.data(), 'loss', { relative: 1e-6 });
    tf.dispose([t, twice, once]);
  });

  it('refuses two readings of different batches', async () => {
    await useTestBackend(backend);
    const t = textToAudio();
    const other = tf.zeros<tf.Rank.R2>([2, 2]);
    expect(() => symmetricClapLoss(t, other)).toThrow(LossInputError);
    expect(() => symmetricClapLoss(t, other)).toThrow(/audio→text logits must have the shape/);
    tf.dispose([t, other]);
  });
});
