import * as tf from '@tensorflow/tfjs-core';
import { diagonal, subtractIdentity } from './matrix.js';
import { checkLogits } from './validate.js';

/*
 * With labels z = 2I − 1, −log σ(z·C) is softplus(C) off the diagonal and softplus(−C) =
 * softplus(C) − C on it, so the loss is (Σ softplus(C) − trace C) / N: no label matrix. Its
 * gradient is (σ(C) − I) / N, built in the forward pass and saved alone (as in contrastive.ts).
 * softplus(x) = max(x, 0) − log σ(|x|) never overflows, and is ~2× faster on tfjs-wasm than
 * tf.softplus (whose wasm kernel is scalar code).
 */
function sigLipValue(c: tf.Tensor2D): tf.Scalar {
  // One N×N temporary at a time (each is 64 MiB at N = 4,096), not all of them until a tidy ends.
  const magnitude = tf.abs(c);
  const sigmoid = tf.sigmoid(magnitude);
  magnitude.dispose();
  const logSigmoid = tf.log(sigmoid);
  sigmoid.dispose();
  const positive = tf.relu(c);
  const softplus = tf.sub(positive, logSigmoid);
  tf.dispose([positive, logSigmoid]);
  const value = tf.tidy(() => {
    // Rows first, then their sums: one float32 sum over N² small terms (tfjs sums sequentially)
    // drops most of them once the total is large (2 % low at N = 4,096, SigLIP's initial logits).
    const total = tf.sum(tf.sum(softplus, 1));
    return tf.div<tf.Scalar>(tf.sub(total, tf.sum(diagonal(c))), c.shape[0]);
  });
  softplus.dispose();
  return value;
}

const sigLip = tf.customGrad(((c: tf.Tensor2D, save: tf.GradSaveFunc) => {
  const n = c.shape[0];
  const value = sigLipValue(c);
  save([subtractIdentity(tf.sigmoid(c), 1)]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
      tf.mul(saved[0] as tf.Tensor2D, tf.div(dy, n)),
    ],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

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
  // Outside a gradient scope (evaluation) the gradient matrix is not built.
  return tf.engine().isTapeOn() ? (sigLip(logits) as tf.Scalar) : sigLipValue(logits);
}
