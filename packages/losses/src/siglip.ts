import * as tf from '@tensorflow/tfjs-core';
import { diagonal } from './contrastive.js';
import { checkLogits } from './validate.js';

/*
 * With labels z = 2I − 1, −log σ(z·C) is softplus(C) off the diagonal and softplus(−C) =
 * softplus(C) − C on it, so the loss is (Σ softplus(C) − trace C) / N: no label matrix, and
 * tf.softplus is the overflow-safe form. Its gradient is (σ(C) − I) / N.
 */
const sigLip = tf.customGrad(
  ((c: tf.Tensor2D, save: tf.GradSaveFunc) => {
    const n = c.shape[0];
    save([c]);
    const value = tf.tidy(() => tf.div(tf.sub(tf.sum(tf.softplus(c)), tf.sum(diagonal(c))), n));
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sc] = saved as [tf.Tensor2D];
        return tf.tidy(() => [tf.mul(tf.sub(tf.sigmoid(sc), tf.eye(n)), tf.div(dy, n))]);
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0],
);

/**
 * The SigLIP loss (Zhai et al. 2023, arXiv 2303.15343): an independent sigmoid per cell with
 * labels `2I − 1`, `−Σ log σ(label · C)` summed over the whole matrix and divided by N — the mean
 * over rows of each row's sum, exactly open_clip's `SigLipLoss` normalisation. The logit scale
 * and bias live in the similarity (`bias: true`), not here.
 * @param logits C `[N, N]`, rows = texts, columns = audios, pair i at (i, i)
 * @throws LossInputError when `logits` is not a non-empty square float32 matrix
 */
export function sigLipLoss(logits: tf.Tensor2D): tf.Scalar {
  checkLogits(logits, 'sigLipLoss');
  return sigLip(logits) as tf.Scalar;
}
