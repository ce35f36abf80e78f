import { BatchMatMul, type BatchMatMulAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { callPrevious, runNative, type NativeKernelArgs } from './previous.js';

/**
 * BatchMatMul through oneDNN's matmul primitive: transposeA/transposeB are strides (no copy, no
 * slow path), batch dimensions broadcast as tfjs's do (each pair equal or 1, ranks may differ).
 */
export function batchMatMul(addon: NativeAddon, args: NativeKernelArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || ra < 2 || rb < 2)
    return callPrevious(BatchMatMul, args);
  const m = a.shape[transposeA ? ra - 1 : ra - 2]!;
  const k = a.shape[transposeA ? ra - 2 : ra - 1]!;
  const kb = b.shape[transposeB ? rb - 1 : rb - 2]!;
  const n = b.shape[transposeB ? rb - 2 : rb - 1]!;
  // Batch dims, right-aligned and padded with 1s to a common rank.
  const rank = Math.max(ra, rb) - 2;
  const pad = (shape: number[], r: number): number[] => [
    ...Array<number>(rank - (r - 2)).fill(1),
    ...shape.slice(0, r - 2),
  ];
  const aBatch = pad(a.shape, ra);
  const bBatch = pad(b.shape, rb);
  const outBatch = aBatch.map((d, i) => Math.max(d, bBatch[i]!));
  const broadcasts = aBatch.every((d, i) => d === bBatch[i] || d === 1 || bBatch[i] === 1);
  // Mismatches and empty tensors go to the previous kernel (which throws tfjs's own errors).
  if (k !== kb || !broadcasts || rank > 10 || m * n * k === 0 || outBatch.includes(0))
    return callPrevious(BatchMatMul, args);
  const out = backend.makeOutput([...outBatch, m, n], 'float32');
  const view = (info: TensorInfo): Float32Array => backend.typedArrayFromHeap(info) as Float32Array;
  return runNative(BatchMatMul, args, out, () =>
    addon.matMul(view(a), view(b), view(out), aBatch, bBatch, m, n, k, transposeA, transposeB),
  );
}
