import * as tf from '@tensorflow/tfjs-core';

/*
 * Elementwise and reduction helpers for an N×N logits matrix, chosen for speed on the backends
 * clapjs trains on (measured in bench/losses, N = 4,096):
 * - tfjs-wasm's Exp is scalar code (~410 ms for 16.8 M values) while its Sigmoid is XNNPACK's
 *   vectorised kernel (~43 ms); for x ≤ 0, exp(x) = σ(x) / σ(−x) with no cancellation
 *   (σ(−x) ∈ [½, 1)), max relative error 3.6e-7 against tf.exp.
 * - Reductions over axis 0 transpose first (cpu: ~2.2 s for max, ~3 s for sum); on cpu a column
 *   sum as ones[1, N] · E takes ~0.2 s. wasm: see columnSoftmax.
 * - tf.eye(N) costs ~150 ms on wasm and ~1 s on cpu; subtracting I is a scatter of N values.
 * N×N intermediates are disposed as soon as they are used (not at the end of a tf.tidy): at
 * N = 4,096 each one is 64 MiB, and the wasm heap keeps its high-water mark for good.
 */

const onWasm = () => tf.getBackend() === 'wasm';

/** exp(x) for x ≤ 0 (a softmax after subtracting the maximum), fast on every backend. */
export function expNonPositive(x: tf.Tensor): tf.Tensor {
  if (!onWasm()) return tf.exp(x);
  const a = tf.sigmoid(x);
  const negated = tf.neg(x);
  const b = tf.sigmoid(negated);
  negated.dispose();
  const out = tf.div(a, b);
  tf.dispose([a, b]);
  return out;
}

/** The flat indices of the diagonal of an N×N matrix, as `[N, 1]` int32 (for scatter). */
function diagonalIndices(n: number): tf.Tensor2D {
  return tf.tidy(() => tf.reshape(tf.range(0, n * n, n + 1, 'int32'), [n, 1]));
}

/** The diagonal of a square matrix, read as a strided gather (used where no gradient is taken). */
export function diagonal(c: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() =>
    tf.gather<tf.Tensor1D>(tf.reshape(c, [-1]), tf.reshape(diagonalIndices(c.shape[0]), [-1])),
  );
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
    return tf.reshape<tf.Rank.R2>(tf.tensorScatterUpdate(flat, indices, shifted), [n, n]);
  });
  m.dispose();
  return out;
}

/** `weight` × a softmax along rows or columns (when asked for), with the log-sum-exps it used. */
export interface WeightedSoftmax {
  readonly probabilities: tf.Tensor2D | undefined;
  readonly logSumExp: tf.Tensor1D;
}

/** `exp(c − shift)`, disposing the difference at once. */
function expShifted(c: tf.Tensor2D, shift: tf.Tensor): tf.Tensor2D {
  const x = tf.sub(c, shift);
  const e = expNonPositive(x) as tf.Tensor2D;
  x.dispose();
  return e;
}

/**
 * `weight · softmax(C)` along `axis` (1: each row, 0: each column), computed stably as
 * exp(C − max) / Σ, with log Σ exp C = max + log Σ. `weight` is in (0, 1]. With
 * `withProbabilities` false only the log-sum-exps are computed.
 */
export function weightedSoftmax(
  c: tf.Tensor2D,
  axis: 0 | 1,
  weight: number,
  withProbabilities: boolean,
): WeightedSoftmax {
  if (axis === 0 && onWasm()) return columnSoftmaxByTranspose(c, weight, withProbabilities);
  const n = c.shape[0];
  const max = tf.max(c, axis);
  const shift = tf.reshape(max, axis === 1 ? [n, 1] : [1, n]);
  const e = expShifted(c, shift);
  const sums = tf.tidy(() => (axis === 1 ? tf.sum(e, 1, true) : tf.matMul(tf.ones([1, n]), e)));
  // Dividing by Σ / weight folds the weight in without another N×N multiply.
  const probabilities = withProbabilities
    ? tf.tidy(() => tf.div<tf.Tensor2D>(e, tf.div(sums, weight)))
    : undefined;
  const logSumExp = tf.tidy(() => tf.add<tf.Tensor1D>(max, tf.log(tf.reshape(sums, [n]))));
  tf.dispose([max, shift, e, sums]);
  return { probabilities, logSumExp };
}

/*
 * On wasm every column reduction pays a transpose (max ~310 ms, sum ~400 ms at N = 4,096), and
 * the ones-vector matMul is no cheaper there (~480 ms: XNNPACK repacks a fresh right operand).
 * One explicit transpose (~260 ms) serves both the column max and the column sum; the softmax is
 * then exp(C − lse + log weight) in C's own layout: one more (fast) exp, no transpose back.
 */
function columnSoftmaxByTranspose(
  c: tf.Tensor2D,
  weight: number,
  withProbabilities: boolean,
): WeightedSoftmax {
  const n = c.shape[0];
  const t = tf.transpose(c);
  const max = tf.max(t, 1);
  const shift = tf.reshape(max, [n, 1]);
  const e = expShifted(t, shift);
  t.dispose();
  const sums = tf.sum(e, 1);
  e.dispose();
  const logSumExp = tf.tidy(() => tf.add<tf.Tensor1D>(max, tf.log(sums)));
  tf.dispose([max, shift, sums]);
  if (!withProbabilities) return { probabilities: undefined, logSumExp };
  const columnShift = tf.tidy(() => tf.reshape(tf.sub(logSumExp, Math.log(weight)), [1, n]));
  const probabilities = expShifted(c, columnShift);
  columnShift.dispose();
  return { probabilities, logSumExp };
}
