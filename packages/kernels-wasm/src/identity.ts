import { Identity, type TensorInfo } from '@tensorflow/tfjs-core';
import { wasmKernel, type WasmKernelArgs } from './wasm-backend.js';

/**
 * Identity that shares the input's memory (one more reference) instead of copying it, as the cpu
 * and webgl backends do. tfjs clones every tensor a gradient saves with Identity, so on the wasm
 * backend a training step copied each of them (~300 copies per step of the default model);
 * sharing is safe because no kernel writes into its inputs.
 */
function identity({ inputs, backend }: WasmKernelArgs): TensorInfo {
  const { x } = inputs as { x: TensorInfo };
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Identity for the wasm backend, without the copy. */
export const identityConfig = wasmKernel(Identity, identity);
