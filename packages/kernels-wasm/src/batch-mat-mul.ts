import {
  BatchMatMul,
  broadcast_util,
  util,
  type BatchMatMulAttrs,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { originalBatchMatMul, plainMatMul, transpose } from './originals.js';
import { wasmKernel, withShape, type WasmBackend, type WasmKernelArgs } from './wasm-backend.js';

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/**
 * Below this many multiply-adds per batch slice the backend's own loop beats a slice copy and an
 * XNNPACK call (measured on 2 cores: 8×8×8 slices are faster in the loop, 16×16×16 are not).
 */
const MIN_SLICE_MACS = 2048;

/** Index of each output batch's operand slice, following numpy broadcasting of the batch dims. */
function sliceIndex(outBatch: number[], batch: number[]): (i: number) => number {
  const rank = outBatch.length;
  const padded = [...Array<number>(rank - batch.length).fill(1), ...batch];
  const strides = util.computeStrides(padded);
  return (i) => {
    let index = 0;
    let rest = i;
    for (let d = rank - 1; d >= 0; d--) {
      const size = outBatch[d]!;
      const coordinate = rest % size;
      rest = (rest - coordinate) / size;
      if (padded[d]! !== 1) index += coordinate * (d === rank - 1 ? 1 : strides[d]!);
    }
    return index;
  };
}

/** A kernel output given its final shape in place (as the backend's own kernel does). */
function reshaped(out: TensorInfo, shape: number[]): TensorInfo {
  (out as { shape: number[] }).shape = shape;
  return out;
}

/** A fresh `[1, rows, cols]` tensor holding slice `index` of `source` (rows × cols each). */
function copySlice(
  backend: WasmBackend,
  source: TensorInfo,
  index: number,
  rows: number,
  cols: number,
): TensorInfo {
  const slice = backend.makeOutput([1, rows, cols], 'float32');
  const size = rows * cols;
  // Views after the allocation: a heap growth invalidates earlier ones.
  const from = backend.typedArrayFromHeap(source);
  backend.typedArrayFromHeap(slice).set(from.subarray(index * size, (index + 1) * size));
  return slice;
}

/**
 * An untransposed matMul of `a [..., m, k]` and `b [..., k, n]` with batch dims that broadcast.
 * The wasm backend runs only a batch of 1 through XNNPACK; larger batches go through a scalar
 * loop (and it flattens the batch dims, so it cannot broadcast [2, 1] against [1, 3]). Here a
 * `b` shared by the whole batch folds the batch into the rows of one XNNPACK call, and any other
 * batch runs one XNNPACK call per slice. A fresh `b` slice is allocated for every call: the
 * backend caches XNNPACK's packed weights by `b`'s tensor id.
 */
function batchedPlainMatMul(backend: WasmBackend, a: TensorInfo, b: TensorInfo): TensorInfo {
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const outBatch = broadcast_util.assertAndGetBroadcastShape(aBatch, bBatch);
  const batches = util.sizeFromShape(outBatch);
  const aCount = util.sizeFromShape(aBatch);
  const bCount = util.sizeFromShape(bBatch);
  const outShape = [...outBatch, m, n];
  if (bCount === 1 && aCount === batches) {
    // One b for the whole batch: the batch folds into the rows of a single XNNPACK call.
    const out = plainMatMul(backend, withShape(a, [1, aCount * m, k]), withShape(b, [1, k, n]));
    return reshaped(out, outShape);
  }
  const flattenable = aCount === bCount || aCount === 1;
  if (flattenable && (batches === 1 || m * k * n < MIN_SLICE_MACS))
    return reshaped(plainMatMul(backend, a, b), outShape);
  const aIndex = sliceIndex(outBatch, aBatch);
  const bIndex = sliceIndex(outBatch, bBatch);
  const out = backend.makeOutput(outShape, 'float32');
  for (let i = 0; i < batches; i++) {
    const aSlice = copySlice(backend, a, aIndex(i), m, k);
    const bSlice = copySlice(backend, b, bIndex(i), k, n);
    let product: TensorInfo | undefined;
    try {
      product = plainMatMul(backend, aSlice, bSlice);
      const values = backend.typedArrayFromHeap(product);
      backend.typedArrayFromHeap(out).set(values, i * m * n);
    } finally {
      backend.disposeData(aSlice.dataId);
      backend.disposeData(bSlice.dataId);
      if (product !== undefined) backend.disposeData(product.dataId);
    }
  }
  return out;
}

/**
 * tfjs-wasm multiplies transposed operands 10–50× slower than plain ones, and every matMul
 * gradient uses the transposed forms. Materialising the transpose (a memory-bound pass) and
 * calling the plain XNNPACK kernel is far cheaper. Batches larger than 1 go through
 * {@link batchedPlainMatMul}.
 */
function batchMatMul({ inputs, backend, attrs }: WasmKernelArgs): TensorInfo {
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
  const at = transposeA ? transpose(backend, a, swapLastTwo(a.shape.length)) : a;
  const bt = transposeB ? transpose(backend, b, swapLastTwo(b.shape.length)) : b;
  try {
    return batchedPlainMatMul(backend, at, bt);
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
