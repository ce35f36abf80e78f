import * as tf from '@tensorflow/tfjs-core';
import { matMul } from '@clapjs/layers';

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

/**
 * The vector at one position per sequence: [B, L, W] with index [B] (int32) → [B, W], as a
 * one-hot matMul so the gradient reaches x on every backend.
 */
export function lastTokenPool(x: tf.Tensor3D, index: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => {
    const [batch, length, width] = x.shape;
    // An int32 one-hot, cast: tfjs-wasm's float32 oneHot is wrong.
    const pick = tf.reshape(tf.cast(tf.oneHot(index, length), 'float32'), [batch, 1, length]);
    return tf.reshape(matMul(pick as tf.Tensor3D, x), [batch, width]) as tf.Tensor2D;
  });
}
