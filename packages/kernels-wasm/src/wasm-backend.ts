import type {
  backend_util,
  DataType,
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { ClapError } from '@clapjs/core';

/**
 * The part of tfjs-backend-wasm's `BackendWasm` the pack uses. Declared here so that the pack
 * type-checks without importing the backend (it is a peer, loaded by the application).
 */
export interface WasmBackend {
  /** Allocates an output tensor on the wasm heap (uninitialised memory). */
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  /**
   * A typed-array view of a tensor's bytes on the wasm heap. The view is invalidated when the
   * heap grows, so take views only after every allocation of a kernel is done.
   */
  typedArrayFromHeap(info: TensorInfo): backend_util.TypedArray;
  disposeData(dataId: object, force?: boolean): boolean;
  /** Adds a reference to a tensor's data (freed when the last reference is disposed). */
  incRef(dataId: object): void;
}

/** The arguments tfjs passes to a kernel function, with the wasm backend. */
export interface WasmKernelArgs {
  inputs: Record<string, TensorInfo>;
  backend: WasmBackend;
  attrs?: NamedAttrMap;
}

/** A kernel implemented by this pack. */
export type PackKernel = (args: WasmKernelArgs) => TensorInfo;

/** Every error the pack throws on purpose. */
export class KernelPackError extends ClapError {}

/** Wraps a pack kernel as a tfjs kernel config for the wasm backend. */
export function wasmKernel(
  kernelName: string,
  kernelFunc: PackKernel,
  setupFunc?: KernelConfig['setupFunc'],
): KernelConfig {
  const config: KernelConfig = {
    kernelName,
    backendName: 'wasm',
    kernelFunc: kernelFunc as unknown as KernelFunc,
  };
  if (setupFunc !== undefined) config.setupFunc = setupFunc;
  return config;
}

/** A tensor info viewing the same data under another (same-size) shape; nothing is copied. */
export function withShape(info: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/** Throws a typed error naming the kernel when an input is not float32. */
export function requireFloat32(kernel: string, name: string, info: TensorInfo): void {
  if (info.dtype !== 'float32') {
    throw new KernelPackError(
      'KERNELS_WASM_DTYPE',
      `${kernel}: input "${name}" has dtype ${info.dtype}, expected float32. Cast it with tf.cast(x, 'float32') first.`,
    );
  }
}
