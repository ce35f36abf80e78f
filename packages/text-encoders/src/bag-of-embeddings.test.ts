import * as tf from '@tensorflow/tfjs-core';
import { Rng, create } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import './register.js';
import { TEST_BACKENDS, useTestBackend } from '@clapjs/test-backends';

const context = () => ({ vocabSize: 9, maxLength: 5, rng: new Rng(2) });
const tokens = () => ({
  ids: tf.tensor2d(
    [
      [2, 4, 6, 0, 0],
      [2, 8, 0, 0, 0],
    ],
    [2, 5],
    'int32',
  ),
  mask: tf.tensor2d(
    [
      [1, 1, 1, 0, 0],
      [1, 1, 0, 0, 0],
    ],
    [2, 5],
  ),
});

describe.each(TEST_BACKENDS)('bag-of-embeddings on %s', (backend) => {
  it('is the masked mean of the word embeddings', async () => {
    await useTestBackend(backend);
    const model = create('text-encoder', { name: 'bag-of-embeddings', width: 4 }, context());
    expect(model.outputDim).toBe(4);
    const table = model.variables()[0]!.variable;
    const expected = tf.tidy(() =>
      tf.div(
        tf.add(tf.add(tf.gather(table, [2]), tf.gather(table, [4])), tf.gather(table, [6])),
        3,
      ),
    );
    const y = model.encode(tokens(), { training: false });
    expect(y.shape).toEqual([2, 4]);
    const got = y.dataSync().slice(0, 4);
    const want = expected.dataSync();
    for (let i = 0; i < 4; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-6);
    model.dispose();
  });

  it('trains its table and optional dense layer without leaking', async () => {
    await useTestBackend(backend);
    const model = create(
      'text-encoder',
      { name: 'bag-of-embeddings', width: 4, dense: 6, dropout: 0.2 },
      context(),
    );
    expect(model.outputDim).toBe(6);
    expect(model.variables().map((v) => v.path)).toEqual([
      'embeddings/word',
      'dense/kernel',
      'dense/bias',
    ]);
    const batch = tokens();
    const optimizer = tf.train.sgd(0.1);
    const step = () =>
      tf.dispose(
        optimizer.minimize(
          () => tf.sum(tf.square(model.encode(batch, { training: true }))) as tf.Scalar,
        ) ?? [],
      );
    step();
    const count = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(count);
    const { grads } = tf.variableGrads(
      () => tf.sum(model.encode(batch, { training: false })) as tf.Scalar,
    );
    for (const { variable, path } of model.variables())
      expect(grads[variable.name], path).toBeDefined();
    tf.dispose(Object.values(grads));
    model.dispose();
  });
});
