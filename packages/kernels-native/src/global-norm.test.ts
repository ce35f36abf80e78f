import * as tf from '@tensorflow/tfjs-core';
import { GLOBAL_NORM_KERNEL, Rng, selectBackend } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { KernelPackError } from '@clapjs/kernels-wasm';
import { expectClose, NATIVE_EXPECTED, useNative } from './test-support.js';

// Seeded lists of tensors: one scalar, odd sizes (vector tails and block ends), a large one.
const rng = new Rng(37);
const LISTS = Array.from({ length: 8 }, (_, i) =>
  Array.from({ length: 1 + rng.int(6) }, (_, j) => {
    const shape =
      i === 7 && j === 0 ? [513, 257] : Array.from({ length: j % 3 }, () => 1 + rng.int(40));
    return {
      shape,
      values: rng.normalArray(
        shape.reduce((a, b) => a * b, 1),
        0,
        1 + i,
      ),
    };
  }),
);

describe.skipIf(!NATIVE_EXPECTED)('the native global norm kernel', () => {
  it('matches √Σ sum(square(x)) on the cpu backend over seeded lists of tensors', async () => {
    await selectBackend('cpu');
    const ref = LISTS.map((list) =>
      tf.tidy(
        () =>
          tf
            .sqrt(tf.addN(list.map((t) => tf.sum(tf.square(tf.tensor(t.values, t.shape))))))
            .dataSync()[0]!,
      ),
    );
    await useNative();
    LISTS.forEach((list, i) => {
      const got = tf.tidy(() => {
        const tensors = list.map((t) => tf.tensor(t.values, t.shape));
        const norm = tf
          .engine()
          .runKernel(GLOBAL_NORM_KERNEL, tensors as unknown as tf.NamedTensorMap) as tf.Tensor;
        expect(norm.shape).toEqual([]);
        return norm.dataSync()[0]!;
      });
      expectClose([got], [ref[i]!], `${GLOBAL_NORM_KERNEL} list ${i}`, { relative: 1e-6 });
    });
  });

  it('gives 0 for an empty list and rejects int32 input with a KernelPackError', async () => {
    await useNative();
    const run = (tensors: tf.Tensor[]) =>
      tf.tidy(
        () =>
          (
            tf
              .engine()
              .runKernel(GLOBAL_NORM_KERNEL, tensors as unknown as tf.NamedTensorMap) as tf.Tensor
          ).dataSync()[0],
      );
    expect(run([])).toBe(0);
    expect(() => run([tf.ones([2]), tf.ones([2], 'int32')])).toThrow(KernelPackError);
  });
});
