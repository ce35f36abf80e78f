import * as tf from '@tensorflow/tfjs-core';

/*
 * Elementwise and reduction helpers for an N×N logits matrix, chosen for speed on the backends
 * clapjs trains on (measured in bench/losses, N = 4,096):
 * - tfjs-wasm's Exp is scalar code (~410 ms for 16.8 M values) while its Sigmoid is XNNPACK's
 *   vectorised kernel (~43 ms); for x ≤ 0, exp(x) = σ(x) / σ(−x) with no cancellation
 *   (σ(−x) ∈ [½, 1)), max relative error 3.6e-7 against tf.exp.
 * - Reductions over axis 0 transpose first (cpu: ~2.2 s for max, ~3 s for sum); on cpu a column
 *   sum as ones[1, N] · E takes ~0.2 s. wasm: see columnSoftmaxByTranspose.
 * - tf.eye(N) costs ~150 ms on wasm and ~1 s on cpu; subtracting I is a scatter of N values.
 */

/** exp(x) for x ≤ 0 (a softmax after subtracting the maximum), fast on every backend. */
export function expNonPositive(x: tf.Tensor): tf.Tensor {
  if (tf.getBackend() !== 'wasm') return tf.exp(x);
  return tf.tidy(() => tf.div(tf.sigmoid(x), tf.sigmoid(tf.neg(x))));
}

/** The flat indices of the diagonal of an N×N matrix, as `[N, 1]` int32 (for scatter). */
function diagonalIndices(n: number): tf.Tensor2D {
  return tf.reshape(tf.range(0, n * n, n + 1, 'int32'), [n, 1]);
}

/** The diagonal of a square matrix, read as a strided gather (used where no gradient is taken). */
export function diagonal(c: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.gather(tf.reshape(c, [-1]), tf.reshape(diagonalIndices(c.shape[0]), [-1])) as tf.Tensor1D);
}

/**
 * `m − k·I`. Consumes `m`: tfjs-backend-cpu 4.22's TensorScatterUpdate writes into its input's
 * buffer, so `m` must not be used afterwards (it is disposed here).
 */
export function subtractIdentity(m: tf.Tensor2D, k: number): tf.Tensor2D {
  const out = tf.tidy(() => {
    const n = m.shape[0];
    const indices = diagonalIndices(n);
    const flat = tf.reshape(m, [-1]);
    const shifted = tf.sub(tf.gather(flat, tf.reshape(indices, [-1])), k);
    return tf.reshape(tf.tensorScatterUpdate(flat, indices, shifted), [n, n]) as tf.Tensor2D;
  });
  m.dispose();
  return out;
}

/** A softmax along rows (`axis` 1) or columns (`axis` 0), with the log-sum-exps it used. */
export interface Softmax {
  readonly probabilities: tf.Tensor2D;
  readonly logSumExp: tf.Tensor1D;
}

/** Stable softmax along `axis`: exp(C − max) / Σ, with log Σ exp C = max + log Σ. */
export function softmax(c: tf.Tensor2D, axis: 0 | 1): Softmax {
  if (axis === 0 && tf.getBackend() === 'wasm') return columnSoftmaxByTranspose(c);
  return tf.tidy(() => {
    const n = c.shape[0];
    const max = tf.max(c, axis);
    const shift = axis === 1 ? tf.expandDims(max, 1) : tf.expandDims(max, 0);
    const e = expNonPositive(tf.sub(c, shift)) as tf.Tensor2D;
    const sums = axis === 1 ? tf.sum(e, 1, true) : tf.matMul(tf.ones([1, n]), e);
    return {
      probabilities: tf.div(e, sums) as tf.Tensor2D,
      logSumExp: tf.add(max, tf.log(tf.reshape(sums, [n]))) as tf.Tensor1D,
    };
  });
}

/*
 * On wasm every column reduction pays a transpose (max ~310 ms, sum ~400 ms at N = 4,096), and
 * the ones-vector matMul is no cheaper there (~480 ms: XNNPACK repacks a fresh right operand).
 * One explicit transpose (~260 ms) serves both the column max and the column sum; the softmax is
 * then exp(C − lse) in C's own layout, one more (fast) exp instead of a transpose back.
 */
function columnSoftmaxByTranspose(c: tf.Tensor2D): Softmax {
  return tf.tidy(() => {
    const n = c.shape[0];
    const t = tf.transpose(c);
    const max = tf.max(t, 1);
    const sums = tf.sum(expNonPositive(tf.sub(t, tf.expandDims(max, 1))), 1);
    const logSumExp = tf.add(max, tf.log(sums)) as tf.Tensor1D;
    return {
      probabilities: expNonPositive(tf.sub(c, tf.reshape(logSumExp, [1, n]))) as tf.Tensor2D,
      logSumExp,
    };
  });
}
