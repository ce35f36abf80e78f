// Helpers shared by this package's tests (not exported from the package entry).
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@clapjs/core';
import { expect } from 'vitest';

/** A seeded normal tensor. */
export function randomTensor(shape: number[], seed: number, std = 1): tf.Tensor {
  return tf.tensor(
    new Rng(seed).normalArray(
      shape.reduce((a, b) => a * b, 1),
      0,
      std,
    ),
    shape,
  );
}

/** Asserts max |a − b| ≤ tol · max |b| (b is the reference). */
export function expectRelativelyClose(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  tol = 1e-4,
): void {
  expect(a.length).toBe(b.length);
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i] as number));
    worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  }
  expect(worst).toBeLessThanOrEqual(tol * Math.max(scale, 1e-12));
}
