import * as tf from '@tensorflow/tfjs-core';
import { GELU_GRAD_KERNEL, GELU_KERNEL, hasKernelCapability, type Rng } from '@clapjs/core';

/*
 * tfjs-wasm's matMul is ~50× slower with transposed operands, and the built-in
 * gradient of matMul uses exactly those (docs/engineering-notes.md,
 * "tfjs-wasm: transposed matMul is slow"); this keeps training on wasm fast and gives
 * the same numbers on every backend.
 */
/** Swaps the last two axes into a new tensor (a materialised transpose, not a transposed view). */
export function transposeLastTwo<T extends tf.Tensor>(x: T): T {
  const perm = x.shape.map((_, i) => i);
  const n = perm.length;
  [perm[n - 2], perm[n - 1]] = [perm[n - 1]!, perm[n - 2]!];
  return tf.transpose(x, perm);
}

const matMulWithPlainGradients = tf.customGrad(
  // customGrad's typing admits only variadic tensor arguments.
  ((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    save([a, b]);
    return {
      value: tf.matMul(a, b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sa, sb] = saved as [tf.Tensor, tf.Tensor];
        return [tf.matMul(dy, transposeLastTwo(sb)), tf.matMul(transposeLastTwo(sa), dy)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0],
);

/**
 * Whether tf.matMul's own gradient (transposed operands) is fast on the active backend: everywhere
 * but plain tfjs-wasm, and there when a kernel pack's BatchMatMul promises it (core's
 * `transposed-matmul` capability, e.g. @clapjs/kernels-wasm or @clapjs/kernels-native).
 */
function transposedMatMulIsFast(): boolean {
  const backend = tf.getBackend();
  return backend !== 'wasm' || hasKernelCapability('transposed-matmul', backend);
}

/**
 * `a · b` over the last two axes, for 2-D operands or rank-3/4 ones with equal batch axes (e.g.
 * attention scores `[B, H, L, D] · [B, H, D, L]`). On plain tfjs-wasm its gradients are
 * materialised transposes followed by plain matMuls (see above); elsewhere (a kernel pack on wasm,
 * webgpu, cpu) it is tf.matMul with its own gradient, whose transposed operands those backends
 * read directly. The numbers are the same either way.
 */
export function matMul<T extends tf.Tensor2D | tf.Tensor3D | tf.Tensor4D>(a: T, b: T): T {
  return (transposedMatMulIsFast() ? tf.matMul(a, b) : matMulWithPlainGradients(a, b)) as T;
}

/** `x · w + b` over the last axis of a tensor of any rank ≥ 2; `w` is `[in, out]`. */
export function dense<T extends tf.Tensor>(x: T, w: tf.Tensor2D, b?: tf.Tensor1D): T {
  return tf.tidy(() => {
    const inDim = w.shape[0];
    const outDim = w.shape[1];
    const flat = tf.reshape(x, [-1, inDim]) as tf.Tensor2D;
    let y: tf.Tensor = matMul(flat, w);
    if (b !== undefined) y = tf.add(y, b);
    return tf.reshape(y, [...x.shape.slice(0, -1), outDim]) as T;
  });
}

// GELU through the backend's fused kernels (core's GELU_KERNEL and GELU_GRAD_KERNEL): one kernel
// each way instead of ~4 forward and ~12 backward element-wise ops; only x is kept for the gradient.
const fusedGelu = tf.customGrad(
  // customGrad's typing admits only variadic tensor arguments.
  ((x: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x]);
    return {
      value: tf.engine().runKernel(GELU_KERNEL, { x }) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.engine().runKernel(GELU_GRAD_KERNEL, { dy, x: saved[0]! }) as tf.Tensor,
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0],
);

/**
 * GELU with the exact erf form (PyTorch nn.GELU's default): `0.5·x·(1 + erf(x/√2))`. Runs as the
 * backend's fused kernels when a kernel pack registered both of core's GELU_KERNEL and
 * GELU_GRAD_KERNEL for it (same values to float32 rounding), as tfjs ops otherwise.
 */
export function gelu<T extends tf.Tensor>(x: T): T {
  const backend = tf.getBackend();
  if (
    x.dtype === 'float32' &&
    tf.getKernel(GELU_KERNEL, backend) !== undefined &&
    tf.getKernel(GELU_GRAD_KERNEL, backend) !== undefined
  )
    return fusedGelu(x) as T;
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))) as T);
}

/**
 * GELU with the tanh approximation, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))): GPT-2's
 * `gelu_new` (PyTorch `nn.GELU(approximate='tanh')`).
 */
export function geluTanh<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => {
    const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner))) as T;
  });
}

/** Inverted dropout when training (seeded from `rng`), identity otherwise. */
export function dropout<T extends tf.Tensor>(x: T, rate: number, rng: Rng, training: boolean): T {
  if (!training || rate <= 0) return x;
  return tf.dropout(x, rate, undefined, rng.nextUint32()) as T;
}

/** Divides each row by its L2 norm (ε-guarded), like torch.nn.functional.normalize. */
export function l2Normalize(x: tf.Tensor2D, epsilon = 1e-12): tf.Tensor2D {
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.sum(tf.square(x), 1, true));
    return tf.div(x, tf.maximum(norm, epsilon));
  });
}
