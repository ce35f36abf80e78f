import * as tf from '@tensorflow/tfjs-core';
import { dense } from '@clapjs/layers';
import type { BatchNorm } from '../batch-norm.js';
import type { HtsatPlan } from './plan.js';

/** The weights and BatchNorms the fusion ops read, by our path (`patch_embed/...`). */
export interface FusionWeights {
  weight(path: string): tf.Tensor;
  batchNorm(path: string): BatchNorm;
}

/** A convolution's `[kh, kw, in, out]` kernel as the `[kh·kw·in, out]` matrix of its patches. */
function kernelMatrix(kernel: tf.Tensor): tf.Tensor2D {
  const [kh, kw, inDim, outDim] = kernel.shape as [number, number, number, number];
  return tf.reshape(kernel, [kh * kw * inDim, outDim]);
}

/**
 * LAION's `mel_conv2d` on the crops, laid out as upstream fuses them: each crop image
 * `[n·3, S, S]` is cut into p × 3p patches (stride = kernel, no padding; the last S mod 3p
 * columns are not covered), the three crops' columns are placed side by side
 * (`permute(0, 2, 3, 1, 4).flatten(3)`), and the row is zero-padded (or cut) to the global patch
 * grid's width. Returns `[n, grid·grid, embedDim]` tokens, row-major like the patch embedding.
 */
export function cropTokens(
  crops: tf.Tensor3D,
  plan: HtsatPlan,
  weights: FusionWeights,
): tf.Tensor3D {
  return tf.tidy(() => {
    const { grid } = plan;
    const { patchSize: p, embedDim } = plan.config;
    const columns = plan.fusion!.cropColumns;
    const n = crops.shape[0] / 3;
    const covered = tf.slice(crops, [0, 0, 0], [-1, -1, columns * 3 * p]);
    const image = tf.reshape(covered, [n * 3 * grid, p, columns, 3 * p]);
    const patches = tf.reshape(tf.transpose(image, [0, 2, 1, 3]), [
      n * 3,
      grid * columns,
      3 * p * p,
    ]);
    const tokens = dense(
      patches,
      kernelMatrix(weights.weight('patch_embed/mel_conv2d/weight')),
      weights.weight('patch_embed/mel_conv2d/bias') as tf.Tensor1D,
    );
    const sideBySide = tf.reshape(
      tf.transpose(tf.reshape(tokens, [n, 3, grid, columns, embedDim]), [0, 2, 1, 3, 4]),
      [n, grid, 3 * columns, embedDim],
    );
    const width = 3 * columns;
    const fitted =
      width < grid
        ? tf.pad(sideBySide, [
            [0, 0],
            [0, 0],
            [0, grid - width],
            [0, 0],
          ])
        : tf.slice(sideBySide, [0, 0, 0, 0], [-1, -1, grid, -1]);
    return tf.reshape(fitted, [n, grid * grid, embedDim]) as tf.Tensor3D;
  });
}

/** One attention branch: 1×1 conv → BatchNorm → ReLU → 1×1 conv → BatchNorm (channels last). */
function branch(
  x: tf.Tensor3D,
  prefix: string,
  first: number,
  weights: FusionWeights,
  training: boolean,
): tf.Tensor3D {
  const conv = (h: tf.Tensor3D, index: number) =>
    dense(
      h,
      kernelMatrix(weights.weight(`${prefix}/${index}/weight`)),
      weights.weight(`${prefix}/${index}/bias`) as tf.Tensor1D,
    );
  const hidden = weights.batchNorm(`${prefix}/${first + 1}`).apply(conv(x, first), training, true);
  return weights.batchNorm(`${prefix}/${first + 4}`).apply(conv(hidden, first + 3), training);
}

/**
 * The attentional feature fusion block (Dai et al., 2021; LAION's `AFF(type='2D')`, HF's
 * `ClapAudioAFFBlock`) on `[n, tokens, C]` tokens: with a = x + residual, the weight
 * w = σ(local(a) + global(mean over tokens of a)) mixes the two as 2·x·w + 2·residual·(1 − w).
 */
export function attentionalFeatureFusion(
  x: tf.Tensor3D,
  residual: tf.Tensor3D,
  weights: FusionWeights,
  training: boolean,
): tf.Tensor3D {
  return tf.tidy(() => {
    const sum = tf.add(x, residual) as tf.Tensor3D;
    const local = branch(sum, 'patch_embed/fusion_model/local_att', 0, weights, training);
    const pooled = tf.mean(sum, 1, true) as tf.Tensor3D;
    const global = branch(pooled, 'patch_embed/fusion_model/global_att', 1, weights, training);
    const w = tf.sigmoid(tf.add(local, global));
    return tf.mul(2, tf.add(tf.mul(x, w), tf.mul(residual, tf.sub(1, w)))) as tf.Tensor3D;
  });
}
