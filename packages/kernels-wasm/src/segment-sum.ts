import {
  UnsortedSegmentSum,
  util,
  type TensorInfo,
  type UnsortedSegmentSumAttrs,
} from '@tensorflow/tfjs-core';
import { KernelPackError, wasmKernel, type WasmKernelArgs } from './wasm-backend.js';

/**
 * out[s, …] = Σ over i with segmentIds[i] = s of x[i, …]; ids outside [0, numSegments) are
 * dropped, as in TensorFlow. This is the gradient of tf.gather.
 */
function unsortedSegmentSum({ inputs, backend, attrs }: WasmKernelArgs): TensorInfo {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as unknown as UnsortedSegmentSumAttrs;
  const idRank = segmentIds.shape.length;
  if (
    segmentIds.dtype !== 'int32' ||
    !util.arraysEqual(x.shape.slice(0, idRank), segmentIds.shape)
  ) {
    throw new KernelPackError(
      'KERNELS_WASM_SHAPE',
      `${UnsortedSegmentSum}: segmentIds (${segmentIds.dtype} [${segmentIds.shape.join(', ')}]) must be int32 ` +
        `and a prefix of x's shape [${x.shape.join(', ')}].`,
    );
  }
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new KernelPackError(
      'KERNELS_WASM_DTYPE',
      `${UnsortedSegmentSum}: x has dtype ${x.dtype}, expected float32 or int32.`,
    );
  }
  const rest = x.shape.slice(idRank);
  const inner = util.sizeFromShape(rest);
  const out = backend.makeOutput([numSegments, ...rest], x.dtype);
  const xv = backend.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const ids = backend.typedArrayFromHeap(segmentIds) as Int32Array;
  const ov = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
  ov.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i] as number;
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) ov[dst + j] = (ov[dst + j] as number) + (xv[src + j] as number);
  }
  return out;
}

/** UnsortedSegmentSum for the wasm backend (missing there: without it tf.gather has no gradient). */
export const unsortedSegmentSumConfig = wasmKernel(UnsortedSegmentSum, unsortedSegmentSum);
