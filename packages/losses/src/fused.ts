import * as tf from '@tensorflow/tfjs-core';
import { SYMMETRIC_CE_GRAD_KERNEL, SYMMETRIC_CE_LSE_KERNEL } from '@clapjs/core';
import { diagonal } from './matrix.js';

/**
 * Whether the active backend has both kernels of the fused symmetric cross-entropy (core's
 * `SYMMETRIC_CE_LSE_KERNEL` and `SYMMETRIC_CE_GRAD_KERNEL`, e.g. from @clapjs/kernels-webgpu).
 */
export function hasFusedSymmetricKernels(): boolean {
  const backend = tf.getBackend();
  return (
    tf.getKernel(SYMMETRIC_CE_LSE_KERNEL, backend) !== undefined &&
    tf.getKernel(SYMMETRIC_CE_GRAD_KERNEL, backend) !== undefined
  );
}

/*
 * ½ (CE_rows(C) + CE_cols(C)) through the backend's fused kernels: the forward kernel returns the
 * log-sum-exps of every row and column ([2, N]), the loss is the mean of lse − diag over those 2N
 * entries (subtracted per entry, as the composed loss does, before averaging), and the backward
 * kernel builds dC elementwise from C and the saved log-sum-exps. Only C and the [2, N]
 * log-sum-exps are kept for the backward pass; no N×N temporary exists outside the kernels.
 */
const fused = tf.customGrad(
  // customGrad's typing admits only variadic tensor arguments.
  ((c: tf.Tensor2D, save: tf.GradSaveFunc) => {
    const n = c.shape[0];
    const lse = tf.engine().runKernel<tf.Tensor2D>(SYMMETRIC_CE_LSE_KERNEL, { x: c });
    save([c, lse]);
    const diag = diagonal(c);
    const value = tf.mean<tf.Scalar>(tf.sub(lse, tf.reshape(diag, [1, n])));
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        tf.engine().runKernel<tf.Tensor2D>(SYMMETRIC_CE_GRAD_KERNEL, {
          x: saved[0]!,
          lse: saved[1]!,
          dy: tf.reshape(dy, [1]),
        }),
      ],
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0],
);

/**
 * The symmetric CLAP loss of one logits matrix through the backend's fused kernels (callers
 * check {@link hasFusedSymmetricKernels} first; `logits` is already validated).
 */
export function fusedSymmetricClapLoss(logits: tf.Tensor2D): tf.Scalar {
  return fused(logits) as tf.Scalar;
}
