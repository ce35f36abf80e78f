import * as tf from '@tensorflow/tfjs-core';
import { matMul } from '@clapjs/layers';

// PyTorch's bicubic kernel (Keys' cubic convolution with A = −0.75), as in ATen's
// upsample_bicubic2d: the weights of the 4 input samples around a fractional position t.
const A = -0.75;
const near = (x: number) => ((A + 2) * x - (A + 3)) * x * x + 1; // |x| ≤ 1
const far = (x: number) => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; // 1 < |x| < 2

/**
 * The `[outLength, inLength]` matrix of `F.interpolate(..., mode="bicubic", align_corners=True)`
 * along one axis: output i samples the input at i·(in − 1)/(out − 1), from the 4 nearest inputs,
 * indices clamped to the edges as PyTorch does. (Along an axis whose length does not change the
 * matrix is the identity.)
 */
export function bicubicMatrix(inLength: number, outLength: number): Float32Array {
  const m = new Float32Array(outLength * inLength);
  const scale = outLength > 1 ? (inLength - 1) / (outLength - 1) : 0;
  for (let i = 0; i < outLength; i++) {
    const real = Math.fround(scale * i);
    const base = Math.floor(real);
    const t = real - base;
    const weights = [far(t + 1), near(t), near(1 - t), far(2 - t)];
    weights.forEach((w, k) => {
      const j = Math.min(Math.max(base - 1 + k, 0), inLength - 1);
      m[i * inLength + j] = (m[i * inLength + j] as number) + w;
    });
  }
  return m;
}

/**
 * Resizes `[batch, frames, bins]` to `[batch, outFrames, bins]` along time with PyTorch's bicubic
 * align_corners interpolation (LAION/HF HTSAT's `reshape_wav2img`): one matMul, so gradients flow
 * to whatever came before (bn0).
 */
export function resizeTime(x: tf.Tensor3D, outFrames: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [batch, frames, bins] = x.shape;
    const weights = tf.tensor2d(bicubicMatrix(frames, outFrames), [outFrames, frames]);
    const columns = tf.reshape(tf.transpose(x, [1, 0, 2]), [frames, batch * bins]) as tf.Tensor2D;
    return tf.transpose(tf.reshape(matMul(weights, columns), [outFrames, batch, bins]), [1, 0, 2]);
  });
}
