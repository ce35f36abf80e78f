import * as tf from '@tensorflow/tfjs-core';
import { diagonal, subtractIdentity, weightedSoftmax } from './matrix.js';
import { checkLogits } from './validate.js';

/** Which way a one-directional InfoNCE reads the logits matrix (rows = texts, columns = audios). */
export type InfoNCEDirection = 'text-to-audio' | 'audio-to-text';

/**
 * The weighted diagonal cross-entropies of C and, when asked, their gradient matrix
 * G = w_r·softmax_rows + w_c·softmax_cols − (w_r + w_c)·I (times dy/N).
 */
function crossEntropyParts(
  c: tf.Tensor2D,
  rowWeight: number,
  colWeight: number,
  withGradient: boolean,
): { value: tf.Scalar; g?: tf.Tensor2D } {
  const diag = diagonal(c);
  let value: tf.Scalar = tf.scalar(0);
  let g: tf.Tensor2D | undefined;
  for (const [axis, weight] of [
    [1, rowWeight],
    [0, colWeight],
  ] as const) {
    if (weight === 0) continue;
    const { probabilities, logSumExp } = weightedSoftmax(c, axis, weight, withGradient);
    // Subtract per entry before averaging: lse_i and C_ii are close when the model is right.
    const next = tf.tidy(
      () => tf.add(value, tf.mul(tf.mean(tf.sub(logSumExp, diag)), weight)) as tf.Scalar,
    );
    tf.dispose([value, logSumExp]);
    value = next;
    if (probabilities === undefined) continue;
    if (g === undefined) {
      g = probabilities;
    } else {
      const sum = tf.add(g, probabilities) as tf.Tensor2D;
      tf.dispose([g, probabilities]);
      g = sum;
    }
  }
  diag.dispose();
  return g === undefined ? { value } : { value, g: subtractIdentity(g, rowWeight + colWeight) };
}

/*
 * Cross-entropy on the diagonal, written with tf.customGrad. The gradient of mean_i(lse_i − C_ii)
 * is (softmax − I) / N, and the softmax is a by-product of the log-sum-exp, so the forward pass
 * builds G once and saves only G: the backward pass is one multiply, and no other N×N tensor
 * outlives the forward pass (autodiff through tf.logSoftmax keeps several; bench/losses measures
 * both). Outside a gradient scope (evaluation) G is not built at all.
 */
function diagonalCrossEntropy(rowWeight: number, colWeight: number): (c: tf.Tensor2D) => tf.Scalar {
  const op = tf.customGrad(
    // customGrad's typing admits only variadic tensor arguments.
    ((c: tf.Tensor2D, save: tf.GradSaveFunc) => {
      const n = c.shape[0];
      const { value, g } = crossEntropyParts(c, rowWeight, colWeight, true);
      save([g as tf.Tensor2D]);
      return {
        value,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
          tf.mul(saved[0] as tf.Tensor2D, tf.div(dy, n)),
        ],
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0],
  );
  return (c) =>
    tf.engine().isTapeOn()
      ? (op(c) as tf.Scalar)
      : crossEntropyParts(c, rowWeight, colWeight, false).value;
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
export function infoNCE(
  logits: tf.Tensor2D,
  direction: InfoNCEDirection = 'text-to-audio',
): tf.Scalar {
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
