import type {
  backend_util,
  DataType,
  KernelConfig,
  NamedAttrMap,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { KernelPackError } from '@clapjs/kernels-wasm';

/**
 * The part of tfjs-backend-wasm's `BackendWasm` the pack uses (declared here so that the pack
 * type-checks without importing the backend, a peer loaded by the application).
 */
export interface WasmBackend {
  /** Allocates an output tensor on the wasm heap (uninitialised memory). */
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  /** A view of a tensor's bytes on the wasm heap; invalidated when the heap grows. */
  typedArrayFromHeap(info: TensorInfo): backend_util.TypedArray;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** The arguments tfjs passes to a kernel function, with the wasm backend. */
export interface NativeKernelArgs {
  inputs: Record<string, TensorInfo>;
  backend: WasmBackend;
  attrs?: NamedAttrMap;
}

// The kernels that were registered before the native ones replaced them (kernels-wasm's, or the
// wasm backend's own Conv2D): they run what the native kernels do not cover (other dtypes,
// geometries oneDNN cannot express).
const previous = new Map<string, KernelConfig>();

/** Records the kernel a native one replaces. */
export function setPrevious(config: KernelConfig): void {
  previous.set(config.kernelName, config);
}

/** Runs the kernel that was registered before the native one. */
export function callPrevious(kernelName: string, args: NativeKernelArgs): TensorInfo {
  const config = previous.get(kernelName);
  if (config === undefined)
    throw new Error(`@clapjs/kernels-native: no previous ${kernelName} kernel to fall back to`);
  return config.kernelFunc(args) as TensorInfo;
}

// oneDNN's status for "no implementation for this problem" (dnnl_unimplemented), as the addon
// reports it in its error messages.
const UNIMPLEMENTED = /\(status 3\)$/;

/**
 * Runs the addon call that fills `out`. When oneDNN has no implementation for the problem, `out`
 * is released and the previous kernel runs instead; any other failure (e.g. inputs whose sizes do
 * not match the attributes) becomes a KernelPackError naming the kernel.
 */
export function runNative(
  kernelName: string,
  args: NativeKernelArgs,
  out: TensorInfo,
  call: () => void,
): TensorInfo {
  try {
    call();
    return out;
  } catch (error) {
    args.backend.disposeData(out.dataId);
    const message = error instanceof Error ? error.message : String(error);
    if (UNIMPLEMENTED.test(message)) return callPrevious(kernelName, args);
    throw new KernelPackError(
      'KERNELS_NATIVE_FAILED',
      `${kernelName} (native): ${message}. Check the input shapes against the attributes, or use @clapjs/kernels-wasm alone.`,
      { cause: error },
    );
  }
}
