import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { avgPool2d } from './avg-pool.js';
import { conv2d } from './conv2d.js';
import { expectRelativelyClose, randomTensor } from './test-support.js';
import { TEST_BACKENDS, useTestBackend } from '@clapjs/test-backends';

// [batch, height, width, inChannels, outChannels, kernel]
const SHAPES: [number, number, number, number, number, number][] = [
  [1, 5, 4, 1, 3, 3],
  [2, 7, 6, 3, 4, 3],
  [3, 6, 9, 2, 5, 5],
  [1, 4, 4, 4, 2, 5],
  [2, 3, 2, 2, 3, 3],
];

type Grads = { y: Float32Array; dx: Float32Array; dw: Float32Array };

/** Value and gradients of sum(conv(x, w) · probe), computed by `conv` on the active backend. */
async function gradsOf(
  conv: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D,
  shape: (typeof SHAPES)[number],
): Promise<Grads> {
  const [n, h, w, cin, cout, k] = shape;
  const x = randomTensor([n, h, w, cin], 1) as tf.Tensor4D;
  const kernel = randomTensor([k, k, cin, cout], 2) as tf.Tensor4D;
  const probe = randomTensor([n, h, w, cout], 3);
  const f = (a: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), probe));
  const [dx, dw] = tf.grads(f)([x, kernel]);
  const out = {
    y: (await conv(x, kernel).data()) as Float32Array,
    dx: (await dx!.data()) as Float32Array,
    dw: (await dw!.data()) as Float32Array,
  };
  tf.dispose([x, kernel, probe, dx!, dw!]);
  return out;
}

const native = (x: tf.Tensor4D, w: tf.Tensor4D) => tf.conv2d(x, w, 1, 'same');

describe('conv2d', () => {
  it.each(SHAPES)(
    'matches the cpu backend’s own conv2d gradient, shape %i×%i×%i×%i → %i, k=%i',
    async (...shape) => {
      await useTestBackend('cpu');
      const reference = await gradsOf(native, shape);
      for (const backend of TEST_BACKENDS) {
        await useTestBackend(backend);
        const ours = await gradsOf(conv2d, shape);
        expectRelativelyClose(ours.y, reference.y);
        expectRelativelyClose(ours.dx, reference.dx);
        expectRelativelyClose(ours.dw, reference.dw);
      }
    },
  );

  it('runs on @clapjs/kernels-native’s oneDNN gradient kernels where they are registered, with the same numbers', async () => {
    for (const shape of SHAPES) {
      await useTestBackend('cpu');
      const reference = await gradsOf(native, shape);
      await useTestBackend('wasm+native');
      const ours = await gradsOf(conv2d, shape);
      expectRelativelyClose(ours.y, reference.y);
      expectRelativelyClose(ours.dx, reference.dx);
      expectRelativelyClose(ours.dw, reference.dw);
    }
    const x = randomTensor([2, 6, 5, 3], 1) as tf.Tensor4D;
    const w = randomTensor([3, 3, 3, 4], 2) as tf.Tensor4D;
    const profile = await tf.profile(() =>
      tf.dispose(
        tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(conv2d(a as tf.Tensor4D, b as tf.Tensor4D)),
        )([x, w]),
      ),
    );
    expect(profile.kernels.map((k) => k.name)).toEqual(
      expect.arrayContaining(['Conv2DBackpropFilter', 'Conv2DBackpropInput']),
    );
    await useTestBackend('wasm+pack');
    const portable = await tf.profile(() =>
      tf.dispose(
        tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(conv2d(a as tf.Tensor4D, b as tf.Tensor4D)),
        )([x, w]),
      ),
    );
    expect(portable.kernels.map((k) => k.name)).not.toContain('Conv2DBackpropFilter');
    tf.dispose([x, w]);
  });

  it('trains on wasm, where tf.conv2d itself has no filter gradient', async () => {
    await useTestBackend('wasm');
    const x = randomTensor([1, 4, 4, 1], 1) as tf.Tensor4D;
    const w = randomTensor([3, 3, 1, 2], 2) as tf.Tensor4D;
    expect(() => tf.grad((k: tf.Tensor) => tf.sum(native(x, k as tf.Tensor4D)))(w)).toThrow(
      /Conv2DBackpropFilter/,
    );
    const dw = tf.grad((k: tf.Tensor) => tf.sum(conv2d(x, k as tf.Tensor4D)))(w);
    expect(dw.shape).toEqual([3, 3, 1, 2]);
    tf.dispose([x, w, dw]);
  });

  it.each([
    [7, 6],
    [8, 4],
    [5, 9],
  ])(
    'average pooling (tf.avgPool and avgPool2d) has the cpu gradient on wasm, %i×%i input',
    async (h, w) => {
      const run = async (pool: (x: tf.Tensor4D) => tf.Tensor4D) => {
        const x = randomTensor([2, h, w, 3], 4) as tf.Tensor4D;
        const probe = randomTensor([2, Math.floor(h / 2), Math.floor(w / 2), 3], 5);
        const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(pool(a as tf.Tensor4D), probe)))(x);
        const out = [await pool(x).data(), await dx.data()];
        tf.dispose([x, probe, dx]);
        return out;
      };
      const builtIn = (x: tf.Tensor4D) => tf.avgPool(x, 2, 2, 'valid');
      const ours = (x: tf.Tensor4D) => avgPool2d(x, [2, 2]);
      await useTestBackend('cpu');
      const [y, reference] = await run(builtIn);
      for (const backend of TEST_BACKENDS) {
        await useTestBackend(backend);
        for (const pool of [builtIn, ours]) {
          const [value, dx] = await run(pool);
          expectRelativelyClose(value!, y!, 1e-6);
          expectRelativelyClose(dx!, reference!, 1e-6);
        }
      }
    },
  );

  it('refuses even kernels and mismatched channels', async () => {
    await useTestBackend('cpu');
    expect(() => conv2d(tf.zeros([1, 4, 4, 1]), tf.zeros([2, 2, 1, 1]))).toThrow(/odd size/);
    expect(() => conv2d(tf.zeros([1, 4, 4, 2]), tf.zeros([3, 3, 1, 1]))).toThrow(/2 channels/);
  });
});
