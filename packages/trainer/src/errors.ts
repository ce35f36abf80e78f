import { ClapError } from '@clapjs/core';

/**
 * An error from training: a bad option, too many non-finite steps, a checkpoint that does not
 * fit. `code` is stable: `TRAINER_OPTIONS`, `NON_FINITE_LOSS`, `CHECKPOINT_MISSING`,
 * `CHECKPOINT_CORRUPT`, `CHECKPOINT_MISMATCH`, `EMPTY_DATA`, `WORKER_FAILED` (a gradient worker failed; the
 * message names the worker and the cause).
 */
export class TrainerError extends ClapError {}
