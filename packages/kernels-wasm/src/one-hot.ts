import { OneHot, type OneHotAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import { KernelPackError, wasmKernel, type WasmKernelArgs } from './wasm-backend.js';

/**
 * A one-hot for every output dtype. The wasm backend's own kernel writes int32 bit patterns
 * into float32 outputs (1 reads as 1.4e-45), so it is replaced, not wrapped.
 */
function oneHot({ inputs, backend, attrs }: WasmKernelArgs): TensorInfo {
  const { indices } = inputs as { indices: TensorInfo };
  const { depth, onValue, offValue, dtype } = attrs as unknown as OneHotAttrs;
  if (indices.dtype !== 'int32') {
    throw new KernelPackError(
      'KERNELS_WASM_DTYPE',
      `${OneHot}: indices have dtype ${indices.dtype}, expected int32. Cast them first.`,
    );
  }
  const out = backend.makeOutput([...indices.shape, depth], dtype);
  const iv = backend.typedArrayFromHeap(indices) as Int32Array;
  const ov = backend.typedArrayFromHeap(out);
  ov.fill(offValue);
  for (let i = 0; i < iv.length; i++) {
    const index = iv[i] as number;
    if (index >= 0 && index < depth) ov[i * depth + index] = onValue;
  }
  return out;
}

/** OneHot for the wasm backend: correct for float32 as well as int32 outputs. */
export const oneHotConfig = wasmKernel(OneHot, oneHot);
