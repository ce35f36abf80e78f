import * as tf from '@tensorflow/tfjs-core';
import { BATCH_NORM_GRAD_KERNEL, BATCH_NORM_KERNEL, type BatchNormAttrs } from '@clapjs/core';
import type { Params } from '@clapjs/layers';

/** BatchNorm hyper-parameters, with PyTorch's meaning and defaults. */
export interface BatchNormOptions {
  /** Weight of the new batch statistic in the moving average (PyTorch `momentum`, default 0.1). */
  readonly momentum: number;
  /** Added to the variance before the square root (PyTorch `eps`, default 1e-5). */
  readonly epsilon: number;
}

/*
 * Why a hand-written gradient: on tfjs-wasm the autodiff of tf.moments and of the broadcast
 * scale/shift reduces over the outer axes [N, H, W], which the Sum/Mean kernels do slowly, and it
 * needs ~15 full-size elementwise ops. Here every per-channel reduction is one average pooling
 * with a window covering all rows (XNNPACK on wasm; faster than Sum, and than a matMul with a row
 * of ones, which repacks its fresh operand on every call), and BatchNorm + ReLU costs 5 full-size
 * ops forward and 7 backward.
 */

/** Per-channel means of a [rows, C] matrix, as [1, C]. */
function channelMeans(x2d: tf.Tensor2D): tf.Tensor2D {
  const [rows, channels] = x2d.shape;
  const image = tf.reshape(x2d, [1, rows, 1, channels]) as tf.Tensor4D;
  return tf.reshape(tf.avgPool(image, [rows, 1], [rows, 1], 'valid'), [1, channels]);
}

interface BatchStatistics {
  readonly mean: tf.Tensor2D;
  readonly variance: tf.Tensor2D;
}

/**
 * y = [relu](γ·(x − μ)/√(σ² + ε) + β) over a [rows, C] matrix; with `batchStats` μ, σ² are the
 * batch's (biased variance), otherwise the given moving statistics. `onStats` receives the batch
 * statistics (to update the moving ones).
 */
function normalize(
  x: tf.Tensor2D,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  moving: { mean: tf.Tensor; variance: tf.Tensor },
  options: {
    batchStats: boolean;
    relu: boolean;
    epsilon: number;
    onStats?: (s: BatchStatistics) => void;
  },
): tf.Tensor2D {
  const rows = x.shape[0];
  if (options.batchStats && x.dtype === 'float32' && hasFusedBatchNorm())
    return fusedNormalize(x, gamma, beta, options);
  const op = tf.customGrad(((xIn: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    let mean = tf.reshape(moving.mean, [1, -1]) as tf.Tensor2D;
    let variance = tf.reshape(moving.variance, [1, -1]) as tf.Tensor2D;
    let centered: tf.Tensor2D;
    if (options.batchStats) {
      mean = channelMeans(xIn as tf.Tensor2D);
      centered = tf.sub(xIn, mean);
      variance = channelMeans(tf.square(centered));
    } else {
      centered = tf.sub(xIn, mean);
    }
    const invStd = tf.rsqrt(tf.add(variance, options.epsilon));
    const scale = tf.mul(g, invStd);
    let y: tf.Tensor2D = tf.add(tf.mul(centered, scale), b);
    if (options.relu) y = tf.relu(y);
    options.onStats?.({ mean, variance });
    save([centered, invStd, g, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [c, inv, gs, out] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        // ReLU's gradient: pass dy where the output is positive (step(out) is 1 there, else 0).
        const d = (options.relu ? tf.mul(dy, tf.step(out)) : dy) as tf.Tensor2D;
        const dBeta = tf.mul(channelMeans(d), rows);
        const dyCentered = tf.mul(channelMeans(tf.mul(d, c)), rows);
        const dGamma = tf.mul(dyCentered, inv);
        const a = tf.mul(gs, inv);
        let dx: tf.Tensor;
        if (options.batchStats) {
          // dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy · x̂)), with x̂ = (x − μ)/σ.
          const b2 = tf.neg(tf.mul(a, tf.mul(tf.square(inv), tf.div(dyCentered, rows))));
          const c2 = tf.neg(tf.mul(a, tf.div(dBeta, rows)));
          dx = tf.add(tf.add(tf.mul(d, a), tf.mul(c, b2)), c2);
        } else {
          dx = tf.mul(d, a);
        }
        return [dx, tf.reshape(dGamma, gs.shape), tf.reshape(dBeta, gs.shape)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, gamma, beta) as tf.Tensor2D;
}

/** Whether the active backend has both of core's fused training-mode BatchNorm kernels. */
function hasFusedBatchNorm(): boolean {
  const backend = tf.getBackend();
  return (
    tf.getKernel(BATCH_NORM_KERNEL, backend) !== undefined &&
    tf.getKernel(BATCH_NORM_GRAD_KERNEL, backend) !== undefined
  );
}

/**
 * `normalize` with the batch's statistics through the backend's fused kernels (core's
 * BATCH_NORM_KERNEL and BATCH_NORM_GRAD_KERNEL, e.g. from @clapjs/kernels-native): one kernel
 * each way; x, y and the per-channel mean and 1/σ are kept for the gradient.
 */
function fusedNormalize(
  x: tf.Tensor2D,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  options: { relu: boolean; epsilon: number; onStats?: (s: BatchStatistics) => void },
): tf.Tensor2D {
  const attrs: BatchNormAttrs = { epsilon: options.epsilon, relu: options.relu };
  const op = tf.customGrad(((xIn: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const [y, mean, variance, invStd] = tf
      .engine()
      .runKernel(
        BATCH_NORM_KERNEL,
        { x: xIn, gamma: g, beta: b },
        attrs as unknown as tf.NamedAttrMap,
      ) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    options.onStats?.({ mean, variance });
    save([xIn, g, mean, invStd, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sg, sm, si, sy] = saved as tf.Tensor[];
        return tf
          .engine()
          .runKernel(
            BATCH_NORM_GRAD_KERNEL,
            { dy, x: sx!, gamma: sg!, mean: sm!, invStd: si!, y: sy! },
            attrs as unknown as tf.NamedAttrMap,
          ) as tf.Tensor[];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, gamma, beta) as tf.Tensor2D;
}

/**
 * Batch normalisation over every axis but the last (PyTorch `nn.BatchNorm2d` on NHWC data),
 * optionally followed by ReLU (fused: one op with one hand-written gradient).
 * Weights: `weight` (γ), `bias` (β), and the non-trainable moving statistics `running_mean`,
 * `running_var`, named as in a PyTorch state_dict and saved with the model.
 * - training: normalises with the batch mean and biased variance, then updates the moving
 *   statistics as PyTorch does: `running = (1 − momentum)·running + momentum·batch`, with the
 *   unbiased batch variance (n / (n − 1)) for `running_var`.
 * - inference: normalises with the moving statistics.
 */
export class BatchNorm {
  private readonly gamma: tf.Variable;
  private readonly beta: tf.Variable;
  private readonly runningMean: tf.Variable;
  private readonly runningVar: tf.Variable;

  constructor(
    params: Params,
    readonly channels: number,
    private readonly options: BatchNormOptions,
  ) {
    this.gamma = params.weight('weight', [channels], { kind: 'ones' });
    this.beta = params.weight('bias', [channels], { kind: 'zeros' });
    this.runningMean = params.weight(
      'running_mean',
      [channels],
      { kind: 'zeros' },
      { trainable: false },
    );
    this.runningVar = params.weight(
      'running_var',
      [channels],
      { kind: 'ones' },
      { trainable: false },
    );
  }

  /**
   * Normalises `x` (channels last), then applies ReLU when `relu` is set; in training mode also
   * updates the moving statistics.
   */
  apply<T extends tf.Tensor>(x: T, training: boolean, relu = false): T {
    return tf.tidy(() => {
      const x2d = tf.reshape(x, [-1, this.channels]) as tf.Tensor2D;
      const rows = x2d.shape[0];
      const y = normalize(
        x2d,
        this.gamma,
        this.beta,
        { mean: this.runningMean, variance: this.runningVar },
        {
          batchStats: training,
          relu,
          epsilon: this.options.epsilon,
          onStats: training
            ? (s) => this.updateMovingStatistics(s.mean, s.variance, rows)
            : undefined,
        },
      );
      return tf.reshape(y, x.shape) as T;
    });
  }

  private updateMovingStatistics(mean: tf.Tensor, variance: tf.Tensor, count: number): void {
    const m = this.options.momentum;
    const unbiased = count > 1 ? count / (count - 1) : 1;
    const shape = this.runningMean.shape;
    this.runningMean.assign(
      tf.add(tf.mul(this.runningMean, 1 - m), tf.reshape(tf.mul(mean, m), shape)),
    );
    this.runningVar.assign(
      tf.add(tf.mul(this.runningVar, 1 - m), tf.reshape(tf.mul(variance, m * unbiased), shape)),
    );
  }
}
