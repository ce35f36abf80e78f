import * as tf from '@tensorflow/tfjs-core';
import { checkLogits } from './validate.js';

/** Which way a one-directional InfoNCE reads the logits matrix (rows = texts, columns = audios). */
export type InfoNCEDirection = 'text-to-audio' | 'audio-to-text';

/** The diagonal of a square matrix, read as a strided gather (forward only: no gradient needed). */
export function diagonal(c: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const n = c.shape[0];
    return tf.gather(tf.reshape(c, [-1]), tf.range(0, n * n, n + 1, 'int32')) as tf.Tensor1D;
  });
}

/** `exp(c − lse)` with `lse` broadcast along rows (`axis` 1) or columns (`axis` 0): a softmax. */
function softmaxFromLse(c: tf.Tensor2D, lse: tf.Tensor1D, axis: 0 | 1): tf.Tensor2D {
  return tf.tidy(() => tf.exp(tf.sub(c, axis === 1 ? tf.expandDims(lse, 1) : tf.expandDims(lse, 0))));
}

/*
 * Cross-entropy on the diagonal, written with tf.customGrad. Autodiff through tf.logSoftmax keeps
 * every intermediate N×N tensor of the forward pass alive for the backward pass; the gradient of
 * mean_i(lse_i − C_ii) is simply (softmax − I) / N, so only C and the N log-sum-exps are saved and
 * the softmax is rebuilt once in the backward pass (bench/losses measures the difference).
 * `rowWeight`/`colWeight` select CE over rows, over columns, or their average.
 */
function diagonalCrossEntropy(rowWeight: number, colWeight: number): (c: tf.Tensor2D) => tf.Scalar {
  const op = tf.customGrad(
    // customGrad's typing admits only variadic tensor arguments.
    ((c: tf.Tensor2D, save: tf.GradSaveFunc) => {
      const n = c.shape[0];
      const diag = diagonal(c);
      const rows = rowWeight > 0 ? tf.logSumExp(c, 1) : tf.zeros([n]);
      const cols = colWeight > 0 ? tf.logSumExp(c, 0) : tf.zeros([n]);
      save([c, rows, cols]);
      // Subtract per entry before summing: lse_i and C_ii are close when the model is right.
      const value = tf.tidy(() =>
        tf.add(
          tf.mul(tf.mean(tf.sub(rows, diag)), rowWeight),
          tf.mul(tf.mean(tf.sub(cols, diag)), colWeight),
        ),
      );
      diag.dispose();
      return {
        value,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [sc, srows, scols] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
          return tf.tidy(() => {
            let p: tf.Tensor | undefined;
            if (rowWeight > 0) p = tf.mul(softmaxFromLse(sc, srows, 1), rowWeight);
            if (colWeight > 0) {
              const q = tf.mul(softmaxFromLse(sc, scols, 0), colWeight);
              p = p === undefined ? q : tf.add(p, q);
            }
            const scale = tf.div(dy, n);
            return [tf.mul(tf.sub(p as tf.Tensor, tf.eye(n)), scale)];
          });
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0],
  );
  return (c) => op(c) as tf.Scalar;
}

const rowsOnly = diagonalCrossEntropy(1, 0);
const colsOnly = diagonalCrossEntropy(0, 1);
const both = diagonalCrossEntropy(0.5, 0.5);

/**
 * One-directional InfoNCE: the mean cross-entropy of each text's row (`'text-to-audio'`: softmax
 * over the audios) or each audio's column (`'audio-to-text'`: softmax over the texts), with the
 * diagonal as the targets. Equals PyTorch `F.cross_entropy(C, arange(N))` (resp. on `Cᵀ`).
 * @param logits C `[N, N]`, rows = texts, columns = audios, pair i at (i, i)
 * @returns a scalar; 0 for a batch of one
 * @throws LossInputError when `logits` is not a non-empty square float32 matrix
 */
export function infoNCE(logits: tf.Tensor2D, direction: InfoNCEDirection = 'text-to-audio'): tf.Scalar {
  checkLogits(logits, `infoNCE(${direction})`);
  return direction === 'text-to-audio' ? rowsOnly(logits) : colsOnly(logits);
}

/**
 * The CLAP loss: `½ (CE_rows(C) + CE_cols(C))` with the diagonal as targets, i.e. the mean of
 * both InfoNCE directions (CLIP/CLAP, open_clip's ClipLoss).
 * @param logits C `[N, N]`, rows = texts, columns = audios (not symmetric in general)
 * @returns a scalar; 0 for a batch of one
 * @throws LossInputError when `logits` is not a non-empty square float32 matrix
 */
export function symmetricClapLoss(logits: tf.Tensor2D): tf.Scalar {
  checkLogits(logits, 'symmetricClapLoss');
  return both(logits);
}
