// The fused symmetric CLAP cross-entropy: the two kernels core names (SYMMETRIC_CE_LSE_KERNEL,
// SYMMETRIC_CE_GRAD_KERNEL, contracts documented there), in WGSL. @clapjs/losses'
// symmetricClapLoss runs them whenever the active backend has them.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { SYMMETRIC_CE_GRAD_KERNEL, SYMMETRIC_CE_LSE_KERNEL } from '@clapjs/core';
import type { Program, WebGpuKernelArgs } from './backend.js';

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
      kernelName: SYMMETRIC_CE_LSE_KERNEL,
      backendName: 'webgpu',
      kernelFunc: logSumExpRowsCols as unknown as KernelFunc,
    },
    {
      kernelName: SYMMETRIC_CE_GRAD_KERNEL,
      backendName: 'webgpu',
      kernelFunc: symmetricCrossEntropyGrad as unknown as KernelFunc,
    },
  ];
}
