import {
  BatchMatMul,
  broadcast_util,
  type BatchMatMulAttrs,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { webgpuKernel, type WebGpuKernelArgs } from './backend.js';
import { runGemm } from './gemm.js';

const size = (shape: number[]): number => shape.reduce((p, d) => p * d, 1);

/**
 * BatchMatMul through the pack's GEMM, for float32 operands whose batch dimensions are equal or
 * one of them is 1 (tfjs's matMul gradients and every clapjs layer); other cases return undefined.
 */
export function batchMatMul({ inputs, backend, attrs }: WebGpuKernelArgs): TensorInfo | undefined {
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) return undefined;
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = size(outerA);
  const batchB = size(outerB);
  if (k !== kb) return undefined; // the original raises tfjs's own shape error
  // Covered: equal batch shapes, or one side with a batch of 1 (broadcast to the other).
  if (!(batchA === 1 || batchB === 1 || outerA.join() === outerB.join())) return undefined;
  const outer = broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  if (m * n * Math.max(batchA, batchB) === 0 || k === 0) return undefined;
  const batch = Math.max(batchA, batchB);
  const aBase = batchA === 1 ? '0' : `b * ${m * k}`;
  const bBase = batchB === 1 ? '0' : `b * ${k * n}`;
  return runGemm(
    backend,
    {
      name: `mm${transposeA ? 'T' : 'N'}${transposeB ? 'T' : 'N'}${batchA === 1 ? 1 : 'b'}${batchB === 1 ? 1 : 'b'}`,
      batch,
      m,
      n,
      k,
      loadA: `return A[${aBase} + ${transposeA ? `k * ${m} + m` : `m * ${k} + k`}];`,
      loadB: `return B[${bBase} + ${transposeB ? `n * ${k} + k` : `k * ${n} + n`}];`,
      aAlongM: transposeA,
      bAlongN: !transposeB,
      outputShape: [...outer, m, n],
    },
    a,
    b,
  );
}

/** The pack's BatchMatMul config, falling back to `original` outside its cases. */
export function batchMatMulConfig(original: KernelConfig): KernelConfig {
  return webgpuKernel(BatchMatMul, batchMatMul, original);
}
