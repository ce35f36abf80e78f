import * as tf from '@tensorflow/tfjs-core';
import { Rng, selectBackend } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { expectClose, useWasmWithPack } from './test-support.js';

describe('Identity on wasm (shared, not copied)', () => {
  it('a clone outlives its source and frees the memory with its last reference', async () => {
    await useWasmWithPack();
    const backend = tf.backend();
    const baseline = backend.numDataIds();
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      const values = Array.from({ length: 7 * 5 }, (_, i) => (i % 3) - 1);
      const x = tf.tensor(values, [7, 5], dtype);
      const buffers = backend.numDataIds();
      const clone = tf.clone(x);
      expect(backend.numDataIds()).toBe(buffers); // one buffer, two tensors
      const expected = Array.from(x.dataSync());
      x.dispose();
      expect(Array.from(clone.dataSync())).toEqual(expected);
      clone.dispose();
    }
    expect(backend.numDataIds()).toBe(baseline);
  });

  it('gradients whose ops save tensors (clones) equal the cpu backend’s, with nothing left behind', async () => {
    const rng = new Rng(11);
    const xv = rng.normalArray(6 * 9);
    const wv = rng.normalArray(9 * 4, 0, 0.5);
    const cv = rng.normalArray(6 * 4);
    // relu, exp, softmax, square and matMul all save their inputs or outputs for the backward pass.
    const gradients = (): Float32Array[] => {
      const [x, c] = [tf.tensor(xv, [6, 9]), tf.tensor(cv, [6, 4])];
      const w = tf.variable(tf.tensor(wv, [9, 4]));
      const loss = () =>
        tf.sum(tf.mul(tf.square(tf.softmax(tf.exp(tf.relu(tf.matMul(x, w))))), c)) as tf.Scalar;
      const before = tf.memory().numTensors;
      const out: Float32Array[] = [];
      for (let i = 0; i < 3; i++) {
        const { value, grads } = tf.variableGrads(loss, [w]);
        out.push(Float32Array.from(grads[w.name]!.dataSync()));
        tf.dispose([value, ...Object.values(grads)]);
        expect(tf.memory().numTensors).toBe(before);
      }
      tf.dispose([x, c, w]);
      return out;
    };
    await selectBackend('cpu');
    const ref = gradients();
    await useWasmWithPack();
    gradients().forEach((g, i) => expectClose(g, ref[i]!, `gradient, call ${i + 1}`));
  });
});
