/**
 * A resampler as a polyphase FIR plan: what the whole-clip functions and the streaming
 * resampler both run, so a stream gives exactly the samples of the whole clip. Output j is a
 * weighted sum of input samples in `[keepFrom(j), reach(j))`; input outside the signal is zero.
 */
export interface ResamplePlan {
  /** Output samples for `n` input samples. */
  outLength(n: number): number;
  /** One past the last input sample output j reads (when the input is that long). */
  reach(j: number): number;
  /** A lower bound on the first input sample output j or any later output reads. */
  keepFrom(j: number): number;
  /**
   * Computes outputs `[j0, j1)` into `out[0 …]` from input samples held in `buf`, `buf[0]` being
   * input sample `offset`; `n` is the input length (Infinity while unknown: then every output
   * must be complete, `reach(j) ≤ offset + buf.length`).
   */
  fill(
    out: Float32Array,
    j0: number,
    j1: number,
    buf: Float32Array,
    offset: number,
    n: number,
  ): void;
}
