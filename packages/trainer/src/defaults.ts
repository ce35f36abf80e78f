import type { AdamOptions } from './optimizer.js';

/**
 * The trainer's defaults: what {@link Trainer} uses for an option left out. The CLI's config
 * schema takes its defaults from here, so the two cannot drift apart.
 */
export const TRAINER_DEFAULTS = {
  /** Peak learning rate (after warmup). */
  lr: 1e-3,
  /** Learning rate at the end of the cosine decay. */
  minLr: 0,
  /** Warmup steps as a fraction of `steps` (at least 1 step) when `warmupSteps` is not given. */
  warmupFraction: 0.05,
  /** Global-norm gradient clipping (0 = off). */
  clipNorm: 1,
  /** Non-finite steps skipped before training stops with an error. */
  maxBadSteps: 10,
  /** Checkpoints kept (plus the best). */
  keepLast: 3,
  /** The validation metric that picks the best checkpoint (higher is better). */
  bestMetric: 't2a/R@10',
  /** Gradient workers. */
  workers: 1,
  /** AdamW with decoupled weight decay. */
  optimizer: {
    kind: 'adamw',
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
    weightDecay: 0.01,
  } satisfies AdamOptions as AdamOptions,
} as const;
