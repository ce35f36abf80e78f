import type {
  DataType,
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { ClapError } from '@clapjs/core';

/**
 * The part of tfjs-backend-webgpu's `WebGPUProgram` the pack fills in. Declared here so that the
 * pack type-checks without importing the backend (a peer, loaded by the application).
 */
export interface Program {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  workgroupSize: [number, number, number];
  getUserCode: () => string;
}

/** The part of tfjs-backend-webgpu's `WebGPUBackend` the pack uses. */
export interface WebGpuBackend {
  /** Runs `program`; writes into `output` when given (the program sees its current values). */
  runWebGPUProgram(
    program: Program,
    inputs: TensorInfo[],
    outputDtype: DataType,
    uniforms?: null,
    output?: TensorInfo,
  ): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  /** The GPUDevice (only its limits are read). */
  readonly device: { readonly limits: { readonly maxStorageBuffersPerShaderStage: number } };
}

/** The arguments tfjs passes to a kernel function, with the webgpu backend. */
export interface WebGpuKernelArgs {
  inputs: Record<string, TensorInfo>;
  backend: WebGpuBackend;
  attrs?: NamedAttrMap;
}

/** A kernel implemented by this pack: returns `undefined` for cases it leaves to the original. */
export type PackKernel = (args: WebGpuKernelArgs) => TensorInfo | undefined;

/** Every error the pack throws on purpose. */
export class KernelPackError extends ClapError {}

/**
 * Wraps a pack kernel as a tfjs kernel config for the webgpu backend; cases the pack does not
 * cover (int32, NCHW, odd broadcasts) run the backend's own kernel.
 */
export function webgpuKernel(
  kernelName: string,
  kernelFunc: PackKernel,
  original: KernelConfig,
): KernelConfig {
  const run = (args: WebGpuKernelArgs): TensorInfo =>
    kernelFunc(args) ?? (original.kernelFunc(args) as TensorInfo);
  // Lets a second copy of the pack (dual ESM/CJS load) find the original behind this wrapper.
  return {
    kernelName,
    backendName: 'webgpu',
    kernelFunc: run as unknown as KernelFunc,
    original,
  } as KernelConfig;
}
