import { getKernel, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { KernelPackError, type WasmBackend } from './wasm-backend.js';

/**
 * The wasm backend's own kernels the pack builds on, captured before the pack replaces any of
 * them (BatchMatMul is replaced by a wrapper that still calls the original).
 */
interface Originals {
  batchMatMul: KernelConfig;
  transpose: KernelConfig;
  conv2D: KernelConfig;
}

let originals: Originals | undefined;

/** Captures the wasm backend's BatchMatMul and Transpose; throws when the backend is absent. */
export function captureOriginals(isOurs: (config: KernelConfig) => boolean): Originals {
  if (originals !== undefined) return originals;
  const batchMatMul = getKernel('BatchMatMul', 'wasm') as KernelConfig | undefined;
  const transpose = getKernel('Transpose', 'wasm') as KernelConfig | undefined;
  const conv2D = getKernel('Conv2D', 'wasm') as KernelConfig | undefined;
  if (batchMatMul === undefined || transpose === undefined || conv2D === undefined) {
    throw new KernelPackError(
      'KERNELS_WASM_NO_BACKEND',
      'registerWasmKernels(): the tfjs wasm backend is not registered (no wasm BatchMatMul kernel). ' +
        "Import '@tensorflow/tfjs-backend-wasm' (or await selectBackend('wasm') from @clapjs/core) first, " +
        "or import '@clapjs/kernels-wasm/register', which does both.",
    );
  }
  if (isOurs(batchMatMul)) {
    // Another copy of this package (ESM and CJS both loaded) registered first: reuse its originals.
    const previous = (batchMatMul as KernelConfig & { original?: KernelConfig }).original;
    if (previous === undefined)
      throw new KernelPackError('KERNELS_WASM_STATE', 'kernel pack state is inconsistent');
    originals = { batchMatMul: previous, transpose, conv2D };
  } else {
    originals = { batchMatMul, transpose, conv2D };
  }
  return originals;
}

function current(): Originals {
  if (originals === undefined) {
    throw new KernelPackError(
      'KERNELS_WASM_STATE',
      'call registerWasmKernels() before running a pack kernel',
    );
  }
  return originals;
}

/** The wasm backend's plain (untransposed) batched matMul: XNNPACK, the fast path. */
export function plainMatMul(backend: WasmBackend, a: TensorInfo, b: TensorInfo): TensorInfo {
  return current().batchMatMul.kernelFunc({
    inputs: { a, b },
    backend: backend as never,
    attrs: { transposeA: false, transposeB: false },
  }) as TensorInfo;
}

/** The wasm backend's Transpose kernel. */
export function transpose(backend: WasmBackend, x: TensorInfo, perm: number[]): TensorInfo {
  return current().transpose.kernelFunc({
    inputs: { x },
    backend: backend as never,
    attrs: { perm },
  }) as TensorInfo;
}

/** The wasm backend's Conv2D (XNNPACK), NHWC, with explicit padding. */
export function conv2D(
  backend: WasmBackend,
  x: TensorInfo,
  filter: TensorInfo,
  pad: [[number, number], [number, number], [number, number], [number, number]],
): TensorInfo {
  return current().conv2D.kernelFunc({
    inputs: { x, filter },
    backend: backend as never,
    attrs: { strides: 1, dilations: 1, pad, dataFormat: 'NHWC' },
  }) as TensorInfo;
}

/** The original BatchMatMul config (its setupFunc must still run when the backend initialises). */
export function originalBatchMatMul(): KernelConfig {
  return current().batchMatMul;
}
