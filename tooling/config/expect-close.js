// The kernel packs' tolerance, shared by their tests: max |got − ref| ≤ 1e-4 · max |ref|.
import { expect } from 'vitest';

/**
 * Asserts max |got − ref| ≤ 1e-4 · max |ref| (the issues' tolerance for a kernel against the cpu
 * backend), naming the case and both maxima when it fails.
 * @param {ArrayLike<number>} got
 * @param {ArrayLike<number>} ref
 * @param {string} label
 */
export function expectClose(got, ref, label) {
  expect(got.length, label).toBe(ref.length);
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < ref.length; i++) {
    scale = Math.max(scale, Math.abs(ref[i]));
    diff = Math.max(diff, Math.abs(got[i] - ref[i]));
  }
  expect(diff, `${label}: max diff ${diff}, max |ref| ${scale}`).toBeLessThanOrEqual(
    1e-4 * scale + 1e-30,
  );
}
