import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { layerNorm } from './layer-norm.js';
import { TEST_BACKENDS, useTestBackend } from '@clapjs/test-backends';
import { expectClose } from '@clapjs/config/expect-close';

/** The reference: the same forward ops, differentiated by tfjs's autodiff. */
function byAutodiff(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  const axis = x.rank - 1;
  const centered = tf.sub(x, tf.mean(x, axis, true));
  const variance = tf.mean(tf.square(centered), axis, true);
  const normed = tf.mul(centered, tf.rsqrt(tf.add(variance, epsilon)));
  return tf.add(tf.mul(normed, gamma), beta);
}

// Seeded shapes: rank 1 to 4, widths 1 to 40, rows with a large offset (the centring matters),
// BERT's epsilon and PyTorch's default.
const rng = new Rng(31);
const CASES = Array.from({ length: 16 }, (_, i) => {
  const rank = 1 + (i % 4);
  const shape = Array.from({ length: rank }, (_, d) =>
    d === rank - 1 ? 1 + rng.int(40) : 1 + rng.int(5),
  );
  return { shape, epsilon: i % 2 === 0 ? 1e-12 : 1e-5, offset: i % 3 === 0 ? 50 : 0 };
});

describe.each(TEST_BACKENDS)('layerNorm on %s', (backend) => {
  it('gives autodiff’s values and gradients (x, γ, β) over seeded shapes, leaving no tensor', async () => {
    await useTestBackend(backend);
    for (const { shape, epsilon, offset } of CASES) {
      const size = shape.reduce((a, b) => a * b, 1);
      const width = shape.at(-1)!;
      const x = tf.add(tf.tensor(rng.normalArray(size), shape), offset);
      const gamma = tf.tensor1d(rng.normalArray(width, 1, 0.5));
      const beta = tf.tensor1d(rng.normalArray(width));
      const dy = tf.tensor(rng.normalArray(size), shape);
      const before = tf.memory().numTensors;
      const grads = (f: typeof byAutodiff) =>
        tf.tidy(() => {
          const { value, grads: g } = tf.valueAndGrads((a, b, c) =>
            tf.sum(tf.mul(f(a!, b!, c!, epsilon), dy)),
          )([x, gamma, beta]);
          return [value, ...g].map((t) => Float32Array.from(t.dataSync()));
        });
      const ref = grads(byAutodiff);
      const got = grads((a, b, c, e) => layerNorm(a, b as tf.Tensor1D, c as tf.Tensor1D, e));
      expect(tf.memory().numTensors).toBe(before);
      const label = `[${shape.join(',')}] eps ${epsilon} offset ${offset}`;
      ['loss', 'dx', 'dγ', 'dβ'].forEach((name, i) =>
        expectClose(got[i]!, ref[i]!, `${name} ${label}`),
      );
      const y = tf.tidy(() => [
        layerNorm(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, epsilon),
        byAutodiff(x, gamma, beta, epsilon),
      ]);
      // The forward pass is the same ops: the same numbers exactly.
      expect(Array.from(y[0]!.dataSync())).toEqual(Array.from(y[1]!.dataSync()));
      tf.dispose([x, gamma, beta, dy, ...y]);
    }
  });
});
