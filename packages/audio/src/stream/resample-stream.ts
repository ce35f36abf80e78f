import { AudioArgumentError } from '../errors.js';
import type { ResamplePlan } from '../resample-plan.js';
import { kaiserPlan, type ResampleMethod } from '../resample.js';
import { torchaudioPlan } from '../resample-torchaudio.js';

/**
 * Resamples a stream of chunks: {@link StreamResampler.push} returns the output samples whose
 * input has fully arrived, {@link StreamResampler.end} the rest. Joined, the outputs are exactly
 * (bit for bit) what `resample` returns for the whole input: both run the same plan in the same
 * order. Only the kernel's reach of input is held between chunks.
 */
export class StreamResampler {
  private readonly plan: ResamplePlan | undefined;
  /** Input samples held: input sample `offset` onwards. */
  private held = new Float32Array(0);
  private offset = 0;
  /** Input samples pushed so far. */
  private seen = 0;
  /** The next output sample to produce. */
  private next = 0;
  private ended = false;

  /**
   * @param method 'kaiser' or 'torchaudio', as `resample`'s `method` (integer rates for 'torchaudio')
   */
  constructor(fromRate: number, toRate: number, method: ResampleMethod = 'kaiser') {
    for (const [label, rate] of [
      ['fromRate', fromRate],
      ['toRate', toRate],
    ] as const) {
      const ok =
        method === 'torchaudio'
          ? Number.isInteger(rate) && rate > 0
          : Number.isFinite(rate) && rate > 0;
      if (!ok)
        throw new AudioArgumentError(
          `StreamResampler: ${label} must be a positive ${method === 'torchaudio' ? 'integer ' : ''}number of Hz, got ${rate}`,
        );
    }
    if (method !== 'kaiser' && method !== 'torchaudio')
      throw new AudioArgumentError(
        `StreamResampler: method must be 'kaiser' or 'torchaudio', got '${String(method)}'`,
      );
    if (fromRate !== toRate)
      this.plan =
        method === 'torchaudio' ? torchaudioPlan(fromRate, toRate) : kaiserPlan(fromRate, toRate);
  }

  /** Adds input samples; returns the output samples now complete (possibly none). */
  push(samples: Float32Array): Float32Array {
    if (this.ended) throw new AudioArgumentError('StreamResampler: push after end');
    this.seen += samples.length;
    if (this.plan === undefined) return samples.slice();
    const keep = Math.min(this.plan.keepFrom(this.next), this.seen) - this.offset;
    const held = new Float32Array(this.held.length - keep + samples.length);
    held.set(this.held.subarray(keep));
    held.set(samples, this.held.length - keep);
    this.held = held;
    this.offset += keep;
    let last = this.next;
    while (this.plan.reach(last) <= this.seen) last++;
    return this.produce(last, Infinity);
  }

  /** Ends the input; returns the remaining output samples. */
  end(): Float32Array {
    if (this.ended) throw new AudioArgumentError('StreamResampler: end called twice');
    this.ended = true;
    if (this.plan === undefined) return new Float32Array(0);
    return this.produce(this.plan.outLength(this.seen), this.seen);
  }

  private produce(last: number, n: number): Float32Array {
    const out = new Float32Array(Math.max(0, last - this.next));
    (this.plan as ResamplePlan).fill(out, this.next, last, this.held, this.offset, n);
    this.next = Math.max(this.next, last);
    return out;
  }
}

/** Output samples for `n` input samples, as `resample` and {@link StreamResampler} give them. */
export function resampledLength(n: number, fromRate: number, toRate: number): number {
  // Both plans give ⌈n · to / from⌉ (torchaudio's on gcd-reduced rates: the same number).
  return fromRate === toRate ? n : Math.ceil((n * toRate) / fromRate);
}
