import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { registerWebgpuKernels } from './index.js';
import { expectClose, useBackend } from './test-support.js';

// Embedding gradients: tf.gather's gradient is UnsortedSegmentSum of the output gradient by the
// token ids. Ids repeat (a padding token many times), some segments get nothing, and one id is out
// of range (ignored, as on cpu). Each case is a distinct shader (sizes are WGSL constants).
const rng = new Rng(21);
const cases = [
  { label: 'rank 2, repeated ids', n: 40, rest: [6], segments: 11 },
  { label: 'rank 3, more segments than rows', n: 9, rest: [2, 3], segments: 30 },
].map(({ label, n, rest, segments }) => {
  const ids = Int32Array.from({ length: n }, (_, i) =>
    i % 4 === 0 ? 1 : Math.floor(rng.next() * segments),
  );
  ids[n - 1] = segments + 2;
  const size = n * rest.reduce((a, b) => a * b, 1);
  return { label, ids, x: Float32Array.from(rng.normalArray(size)), shape: [n, ...rest], segments };
});

async function run(c: (typeof cases)[number]): Promise<Float32Array> {
  const out = tf.tidy(() =>
    tf.unsortedSegmentSum(tf.tensor(c.x, c.shape), tf.tensor1d(c.ids, 'int32'), c.segments),
  );
  expect(out.shape).toEqual([c.segments, ...c.shape.slice(1)]);
  const values = Float32Array.from(await out.data());
  out.dispose();
  return values;
}

describe('UnsortedSegmentSum (webgpu pack) against cpu', () => {
  it.each(cases)('$label', async (c) => {
    await useBackend('cpu');
    const ref = await run(c);
    await useBackend('webgpu');
    registerWebgpuKernels();
    const before = tf.memory().numTensors;
    expectClose(await run(c), ref, c.label, { relative: 1e-5 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it("is the embedding lookup's gradient", async () => {
    await useBackend('webgpu');
    registerWebgpuKernels();
    const table = tf.tensor2d(rng.normalArray(7 * 4), [7, 4]);
    const ids = tf.tensor1d([3, 0, 3, 3, 6], 'int32');
    const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), 2)))(table);
    expect(Array.from(await grad.data())).toEqual(
      [2, 0, 0, 6, 0, 0, 2].flatMap((g) => [g, g, g, g]),
    );
    tf.dispose([table, ids, grad]);
  });
});
