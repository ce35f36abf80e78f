import * as tf from '@tensorflow/tfjs-core';
import { fusedSymmetricClapLoss, hasFusedSymmetricKernels } from './fused.js';
import { diagonal, subtractIdentity, weightedSoftmax } from './matrix.js';
import { checkLogits, LossInputError } from './validate.js';

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
    const next = tf.tidy(() =>
      tf.add<tf.Scalar>(value, tf.mul(tf.mean(tf.sub(logSumExp, diag)), weight)),
    );
    tf.dispose([value, logSumExp]);
    value = next;
    if (probabilities === undefined) continue;
    if (g === undefined) {
      g = probabilities;
    } else {
      const sum = tf.add<tf.Tensor2D>(g, probabilities);
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
const halfRows = diagonalCrossEntropy(0.5, 0);
const halfCols = diagonalCrossEntropy(0, 0.5);

/** Checks the audio→text reading against the text→audio one: same N, same orientation. */
function checkPair(logits: tf.Tensor2D, audioToText: tf.Tensor2D, loss: string): void {
  checkLogits(audioToText, `${loss} (audioToText)`);
  if (audioToText.shape[0] !== logits.shape[0]) {
    throw new LossInputError(
      'LOSS_LOGITS_PAIR',
      `${loss}: the audio→text logits must have the shape of the text→audio ones, [${logits.shape.join(', ')}], got [${audioToText.shape.join(', ')}]. Pass both readings of the same batch (rows = texts).`,
    );
  }
}

/**
 * One-directional InfoNCE: the mean cross-entropy of each text's row (`'text-to-audio'`: softmax
 * over the audios) or each audio's column (`'audio-to-text'`: softmax over the texts), with the
 * diagonal as the targets. Equals PyTorch `F.cross_entropy(C, arange(N))` (resp. on `Cᵀ`).
 * @param logits C `[N, N]`, rows = texts, columns = audios, pair i at (i, i)
 * @param audioToText the same matrix read with the audio→text scale (a similarity with one scale
 *   per direction); `'audio-to-text'` scores its columns. Omitted: `logits`.
 * @returns a scalar; 0 for a batch of one
 * @throws LossInputError when `logits` is not a non-empty square float32 matrix
 */
export function infoNCE(
  logits: tf.Tensor2D,
  direction: InfoNCEDirection = 'text-to-audio',
  audioToText?: tf.Tensor2D,
): tf.Scalar {
  checkLogits(logits, `infoNCE(${direction})`);
  if (audioToText !== undefined) checkPair(logits, audioToText, `infoNCE(${direction})`);
  return direction === 'text-to-audio' ? rowsOnly(logits) : colsOnly(audioToText ?? logits);
}

/**
 * The CLAP loss: `½ (CE_rows(C) + CE_cols(C))` with the diagonal as targets, i.e. the mean of
 * both InfoNCE directions (CLIP/CLAP, open_clip's ClipLoss). With `audioToText` (C read with the
 * audio→text scale, for similarities that keep one scale per direction, as imported Hugging Face
 * models do): `½ (CE_rows(logits) + CE_cols(audioToText))`, each direction with its own scale.
 * @param logits C `[N, N]`, rows = texts, columns = audios (not symmetric in general)
 * @param audioToText the audio→text reading `[N, N]`, same orientation (rows = texts); omitted,
 *   both halves read `logits` (bit for bit the one-matrix loss)
 * @returns a scalar; 0 for a batch of one
 * @throws LossInputError when `logits` (or `audioToText`) is not a non-empty square float32
 *   matrix, or the two differ in size (`LOSS_LOGITS_PAIR`)
 */
export function symmetricClapLoss(logits: tf.Tensor2D, audioToText?: tf.Tensor2D): tf.Scalar {
  checkLogits(logits, 'symmetricClapLoss');
  if (audioToText === undefined)
    return hasFusedSymmetricKernels() ? fusedSymmetricClapLoss(logits) : both(logits);
  checkPair(logits, audioToText, 'symmetricClapLoss');
  return tf.tidy(() => tf.add<tf.Scalar>(halfRows(logits), halfCols(audioToText)));
}
