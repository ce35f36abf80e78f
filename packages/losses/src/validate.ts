import type { Tensor } from '@tensorflow/tfjs-core';
import { ClapError } from '@clapjs/core';

/** A logits matrix that a loss cannot score (not 2-D, not square, empty). */
export class LossInputError extends ClapError {}

/**
 * Checks that `logits` is a non-empty square matrix (one row per text, one column per audio,
 * matched pairs on the diagonal) and returns its size N.
 */
export function checkLogits(logits: Tensor, loss: string): number {
  const shape = logits.shape;
  if (shape.length !== 2 || shape[0] !== shape[1] || shape[0] === 0) {
    throw new LossInputError(
      'LOSS_LOGITS_SHAPE',
      `${loss}: logits must be a non-empty square matrix [N, N] (rows = texts, columns = audios, ` +
        `pair i on the diagonal), got shape [${shape.join(', ')}]. Pass the similarity of N texts ` +
        `against the N audios of the same batch.`,
    );
  }
  if (logits.dtype !== 'float32') {
    throw new LossInputError(
      'LOSS_LOGITS_DTYPE',
      `${loss}: logits must be float32, got ${logits.dtype}. Cast them with tf.cast(logits, 'float32').`,
    );
  }
  return shape[0];
}
