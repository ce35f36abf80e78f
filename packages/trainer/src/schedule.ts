/** A learning-rate schedule: linear warmup from 0, then cosine decay to `minLr`. */
export interface ScheduleOptions {
  /** The peak learning rate, reached at the end of warmup. */
  readonly lr: number;
  readonly warmupSteps: number;
  readonly totalSteps: number;
  /** The rate at `totalSteps` (default 0). */
  readonly minLr?: number;
}

/**
 * The learning rate for optimizer step `step` (0-based): `lr·(step+1)/warmup` during warmup,
 * then `minLr + ½(lr−minLr)(1+cos(π·progress))`. A pure function of the step, so resuming at a
 * step restores the schedule exactly.
 */
export function warmupCosine(options: ScheduleOptions, step: number): number {
  const { lr, warmupSteps, totalSteps } = options;
  const minLr = options.minLr ?? 0;
  if (step < warmupSteps) return (lr * (step + 1)) / warmupSteps;
  const span = Math.max(1, totalSteps - warmupSteps);
  const progress = Math.min(1, (step - warmupSteps) / span);
  return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * progress));
}
