import {
  BatchMatMul,
  type BatchMatMulAttrs,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { originalBatchMatMul, plainMatMul, transpose } from './originals.js';
import { wasmKernel, type WasmKernelArgs } from './wasm-backend.js';

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/**
 * tfjs-wasm multiplies transposed operands 10–50× slower than plain ones, and every matMul
 * gradient uses the transposed forms. Materialising the transpose (a memory-bound pass) and
 * calling the plain XNNPACK kernel is far cheaper.
 */
function batchMatMul({ inputs, backend, attrs }: WasmKernelArgs): TensorInfo {
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
  if (!transposeA && !transposeB) return plainMatMul(backend, a, b);
  const at = transposeA ? transpose(backend, a, swapLastTwo(a.shape.length)) : a;
  const bt = transposeB ? transpose(backend, b, swapLastTwo(b.shape.length)) : b;
  try {
    return plainMatMul(backend, at, bt);
  } finally {
    if (transposeA) backend.disposeData(at.dataId);
    if (transposeB) backend.disposeData(bt.dataId);
  }
}

/**
 * BatchMatMul for the wasm backend, wrapping the original; its setupFunc is the original's, which
 * must run whenever the backend (re)initialises.
 */
export function batchMatMulConfig(): KernelConfig {
  const original = originalBatchMatMul();
  const config = wasmKernel(BatchMatMul, batchMatMul, original.setupFunc);
  // Lets a second copy of the pack (dual ESM/CJS load) find the original behind this wrapper.
  return Object.assign(config, { original });
}
