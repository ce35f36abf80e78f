import * as tf from '@tensorflow/tfjs-core';
import { Rng, selectBackend } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { expectClose, useWasmWithPack } from './test-support.js';

interface SumCase {
  shape: number[];
  axis: number | number[];
  keepDims: boolean;
  dtype: 'float32' | 'int32';
}

// Seeded shapes: leading-axis sums (the matMul path: bias gradients, [rows, n] over rows; one
// large), negative axes, and what runs the backend's own kernel (trailing or inner axes, every
// axis, int32).
const rng = new Rng(41);
const dims = (rank: number) => Array.from({ length: rank }, () => 1 + rng.int(9));
const CASES: SumCase[] = [
  ...Array.from({ length: 24 }, (_, i): SumCase => {
    const rank = 2 + (i % 3);
    const lead = 1 + rng.int(rank - 1);
    const axis = Array.from({ length: lead }, (_, a) => a);
    return {
      shape: dims(rank),
      axis: i % 4 === 0 ? axis.map((a) => a - rank) : axis.length === 1 ? axis[0]! : axis,
      keepDims: i % 2 === 0,
      dtype: 'float32',
    };
  }),
  { shape: [768, 512], axis: 0, keepDims: false, dtype: 'float32' },
  { shape: [5, 6, 7], axis: 2, keepDims: false, dtype: 'float32' },
  { shape: [5, 6, 7], axis: [1], keepDims: true, dtype: 'float32' },
  { shape: [5, 6, 7], axis: [0, 1, 2], keepDims: false, dtype: 'float32' },
  { shape: [5, 6], axis: 0, keepDims: false, dtype: 'int32' },
];

function run(): { values: number[]; shape: number[] }[] {
  return CASES.map((c) =>
    tf.tidy(() => {
      const r = new Rng(c.shape.reduce((a, b) => a * 7 + b, 3));
      const size = c.shape.reduce((a, b) => a * b, 1);
      const values =
        c.dtype === 'int32'
          ? Int32Array.from({ length: size }, () => r.int(100) - 50)
          : r.normalArray(size);
      const y = tf.sum(tf.tensor(values, c.shape, c.dtype), c.axis, c.keepDims);
      return { values: Array.from(y.dataSync()), shape: y.shape };
    }),
  );
}

describe('Sum on wasm with the pack', () => {
  it('gives the cpu backend’s sums (leading axes as a matMul, the rest as before), shapes included', async () => {
    await selectBackend('cpu');
    const ref = run();
    await useWasmWithPack();
    const before = tf.memory().numTensors;
    const got = run();
    expect(tf.memory().numTensors).toBe(before);
    CASES.forEach((c, i) => {
      const label = `sum [${c.shape}] axis ${String(c.axis)} keepDims ${c.keepDims} ${c.dtype}`;
      expect(got[i]!.shape, label).toEqual(ref[i]!.shape);
      expectClose(Float32Array.from(got[i]!.values), Float32Array.from(ref[i]!.values), label);
    });
  });
});
