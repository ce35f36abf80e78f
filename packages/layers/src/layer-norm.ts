import * as tf from '@tensorflow/tfjs-core';

/** The forward pass: the normalised rows (kept for the gradient), 1/σ per row, and the output. */
function forward(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
): { normed: tf.Tensor; invStd: tf.Tensor; y: tf.Tensor } {
  const axis = x.rank - 1;
  const mean = tf.mean(x, axis, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), axis, true);
  const invStd = tf.rsqrt(tf.add(variance, epsilon));
  const normed = tf.mul(centered, invStd);
  return { normed, invStd, y: tf.add(tf.mul(normed, gamma), beta) };
}

/*
 * Why a hand-written gradient: autodiff of the forward ops above runs ~20 kernels per call, and
 * the gradient of each tf.mean fills a full-size tensor of ones in JavaScript and uploads it.
 * With x̂ the normalised rows and g = dy·γ, the gradient is
 *   dx = (g − mean(g) − x̂·mean(g·x̂)) / σ,   dγ = Σ_rows dy·x̂,   dβ = Σ_rows dy
 * (means over the last axis): 11 kernels, the same numbers to float32 rounding.
 */
const layerNormWithGradient = (epsilon: number) =>
  tf.customGrad(((x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, save: tf.GradSaveFunc) => {
    const { normed, invStd, y } = forward(x, gamma, beta, epsilon);
    save([normed, invStd, gamma]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xHat, inv, g] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const axis = dy.rank - 1;
        const width = g.shape[0] as number;
        const rows = (t: tf.Tensor) => tf.reshape(t, [-1, width]);
        const scaled = tf.mul(dy, g);
        const dx = tf.mul(
          tf.sub(
            tf.sub(scaled, tf.mean(scaled, axis, true)),
            tf.mul(xHat, tf.mean(tf.mul(scaled, xHat), axis, true)),
          ),
          inv,
        );
        const dGamma = tf.sum(rows(tf.mul(dy, xHat)), 0);
        const dBeta = tf.sum(rows(dy), 0);
        return [dx, dGamma, dBeta];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);

/**
 * Layer normalisation over the last axis (PyTorch nn.LayerNorm semantics, biased variance), with
 * a hand-written gradient (fewer, cheaper kernels than autodiff of the same ops).
 */
export function layerNorm<R extends tf.Rank>(
  x: tf.Tensor<R>,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon = 1e-5,
): tf.Tensor<R> {
  return layerNormWithGradient(epsilon)(x, gamma, beta) as tf.Tensor<R>;
}
