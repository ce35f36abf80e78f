import * as tf from '@tensorflow/tfjs-core';

/** The first position's vector of each sequence ([CLS] for both tokenizers): [B, L, W] → [B, W]. */
export function clsPool(x: tf.Tensor3D): tf.Tensor2D {
  return tf.tidy(() => {
    const [batch, , width] = x.shape;
    return tf.reshape(tf.slice(x, [0, 0, 0], [batch, 1, width]), [batch, width]);
  });
}

/**
 * The mean over real tokens: Σ mask·x / Σ mask, [B, L, W] with mask [B, L] → [B, W]. A row
 * whose mask is all zero gives zeros rather than NaN.
 */
export function maskedMeanPool(x: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const weights = tf.expandDims(tf.cast(mask, 'float32'), 2);
    const total = tf.sum(tf.mul(x, weights), 1);
    const count = tf.maximum(tf.sum(weights, 1), 1);
    return tf.div(total, count) as tf.Tensor2D;
  });
}
