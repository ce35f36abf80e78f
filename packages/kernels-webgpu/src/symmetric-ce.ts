import * as tf from '@tensorflow/tfjs-core';
import {
  getKernel,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { KernelPackError, type Program, type WebGpuKernelArgs } from './backend.js';

/** Custom kernel names (registered for webgpu only; other backends use tfjs ops). */
export const LSE_ROWS_COLS = 'ClapjsLogSumExpRowsCols';
export const SYMMETRIC_CE_GRAD = 'ClapjsSymmetricCrossEntropyGrad';

const THREADS = 64;

function flatProgram(
  shaderKey: string,
  variableNames: string[],
  outputShape: number[],
  size: number,
  body: string,
): Program {
  return {
    outputShape,
    shaderKey,
    variableNames,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.ceil(size / THREADS), 1, 1],
    workgroupSize: [THREADS, 1, 1],
    getUserCode: () => `
      fn main(index: i32) {
        _ = uniforms.NAN;
        if (index < ${size}) { ${body} }
      }`,
  };
}

/** [2, n]: the log-sum-exp of each row of C, then of each column: one thread per row or column. */
function logSumExpRowsCols({ inputs, backend }: WebGpuKernelArgs): TensorInfo {
  const { x } = inputs as { x: TensorInfo };
  const n = x.shape[0]!;
  const body = `
    let isRow = index < ${n};
    let line = select(index - ${n}, index, isRow);
    let base = select(line, line * ${n}, isRow);
    let step = select(${n}, 1, isRow);
    var top = -3.402823e38;
    for (var t = 0; t < ${n}; t++) { top = max(top, X[base + t * step]); }
    var s = 0.0;
    for (var t = 0; t < ${n}; t++) { s += exp(X[base + t * step] - top); }
    result[index] = top + log(s);`;
  return backend.runWebGPUProgram(
    flatProgram(`clapjs_lse_rc_${n}`, ['X'], [2, n], 2 * n, body),
    [x],
    'float32',
  );
}

/** dC = dy/(2n) · (softmax over rows + softmax over columns − 2I), elementwise from the saved LSEs. */
function symmetricCrossEntropyGrad({ inputs, backend }: WebGpuKernelArgs): TensorInfo {
  const { x, lse, dy } = inputs as { x: TensorInfo; lse: TensorInfo; dy: TensorInfo };
  const n = x.shape[0]!;
  const body = `
    let i = index / ${n};
    let j = index % ${n};
    let v = X[index];
    let eye = select(0.0, 2.0, i == j);
    result[index] = G[0] * (exp(v - L[i]) + exp(v - L[${n} + j]) - eye) * ${1 / (2 * n)};`;
  return backend.runWebGPUProgram(
    flatProgram(`clapjs_sce_grad_${n}`, ['X', 'L', 'G'], [n, n], n * n, body),
    [x, lse, dy],
    'float32',
  );
}

/** The two kernels above as webgpu kernel configs. */
export function symmetricCrossEntropyConfigs(): KernelConfig[] {
  return [
    {
      kernelName: LSE_ROWS_COLS,
      backendName: 'webgpu',
      kernelFunc: logSumExpRowsCols as unknown as KernelFunc,
    },
    {
      kernelName: SYMMETRIC_CE_GRAD,
      backendName: 'webgpu',
      kernelFunc: symmetricCrossEntropyGrad as unknown as KernelFunc,
    },
  ];
}

function fused(): boolean {
  const backend = tf.getBackend();
  return (
    getKernel(LSE_ROWS_COLS, backend) !== undefined &&
    getKernel(SYMMETRIC_CE_GRAD, backend) !== undefined
  );
}

/**
 * The symmetric CLAP loss over a square logits matrix C whose matching pairs are on the diagonal:
 * ½(cross-entropy over rows + cross-entropy over columns), with its gradient. On webgpu with the
 * pack registered it is two dispatches forward (log-sum-exps of rows and columns in one, then a
 * few scalar ops) and one backward, instead of the dozens of two `tf.losses.softmaxCrossEntropy`
 * calls; no N×N temporaries beyond the gradient. Elsewhere the same math runs as tfjs ops.
 * @param logits C, [n, n] float32 (rows: texts, columns: audio)
 * @returns the scalar loss
 * @throws KernelPackError (`KERNELS_WEBGPU_SHAPE`) unless logits is square 2-D float32
 */
export function symmetricCrossEntropy(logits: tf.Tensor2D): tf.Scalar {
  const [rows, cols] = logits.shape;
  if (logits.rank !== 2 || rows !== cols || rows === 0 || logits.dtype !== 'float32') {
    throw new KernelPackError(
      'KERNELS_WEBGPU_SHAPE',
      `symmetricCrossEntropy(logits): expected a square non-empty float32 [n, n] matrix, got ${logits.dtype} [${logits.shape.join(', ')}]. ` +
        'Pass the text × audio logits of one batch.',
    );
  }
  const n = rows!;
  const loss = tf.customGrad(((c: tf.Tensor, save: tf.GradSaveFunc) => {
    const lse = fused()
      ? (tf.engine().runKernel(LSE_ROWS_COLS, { x: c }) as tf.Tensor2D)
      : tf.stack([tf.logSumExp(c, 1), tf.logSumExp(c, 0)]);
    save([c, lse]);
    const trace = tf.sum(tf.mul(c, tf.eye(n)));
    const value = tf.div(tf.sub(tf.sum(lse), tf.mul(trace, 2)), 2 * n) as tf.Scalar;
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor => {
      const [x, l] = saved as [tf.Tensor2D, tf.Tensor2D];
      if (fused())
        return tf
          .engine()
          .runKernel(SYMMETRIC_CE_GRAD, { x, lse: l, dy: tf.reshape(dy, [1]) }) as tf.Tensor;
      const [rowLse, colLse] = tf.unstack(l) as [tf.Tensor1D, tf.Tensor1D];
      const both = tf.add(
        tf.exp(tf.sub(x, tf.reshape(rowLse, [n, 1]))),
        tf.exp(tf.sub(x, tf.reshape(colLse, [1, n]))),
      );
      return tf.mul(tf.sub(both, tf.mul(tf.eye(n), 2)), tf.div(dy, 2 * n));
    };
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return loss(logits) as tf.Scalar;
}
