// The tests' one tolerance check: max |got − ref| ≤ relative · max |ref| + absolute.
import { expect } from 'vitest';

/**
 * Asserts max |got − ref| ≤ relative · max |ref| + absolute (default: relative 1e-4, absolute 0,
 * the tolerance for a kernel against the cpu backend), naming the case and both maxima when it
 * fails. Pass `{ relative: 0, absolute: 1e-5 }` for an element-wise absolute tolerance.
 * @param {ArrayLike<number>} got
 * @param {ArrayLike<number>} ref
 * @param {string} label
 * @param {{ relative?: number, absolute?: number }} [tolerance]
 */
export function expectClose(got, ref, label, tolerance = {}) {
  const { relative = 1e-4, absolute = 0 } = tolerance;
  expect(got.length, label).toBe(ref.length);
  let scale = 0;
  let diff = 0;
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    scale = Math.max(scale, Math.abs(ref[i]));
    const d = Math.abs(got[i] - ref[i]);
    // NaN never compares: count it as the worst difference.
    if (!(d <= diff)) {
      diff = Number.isNaN(d) ? Infinity : d;
      worst = i;
    }
  }
  expect(
    diff,
    `${label}: max diff ${diff} at index ${worst} (${got[worst]} vs ${ref[worst]}), max |ref| ${scale}`,
  ).toBeLessThanOrEqual(relative * scale + absolute + 1e-30);
}
