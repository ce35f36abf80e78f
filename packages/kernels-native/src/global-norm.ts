import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { GLOBAL_NORM_KERNEL } from '@clapjs/core';
import { KernelPackError } from '@clapjs/kernels-wasm';
import type { NativeAddon } from './addon.js';
import type { NativeKernelArgs } from './previous.js';

/** GLOBAL_NORM_KERNEL: √(Σ x²) over every element of every input, in one native call. */
function globalNorm(addon: NativeAddon, { inputs, backend }: NativeKernelArgs): TensorInfo {
  const tensors = Object.values(inputs);
  const bad = tensors.find((t) => t.dtype !== 'float32');
  if (bad !== undefined) {
    throw new KernelPackError(
      'KERNELS_NATIVE_SHAPE',
      `${GLOBAL_NORM_KERNEL}: expected float32 tensors, got ${bad.dtype} [${bad.shape.join(', ')}]. Cast the gradients to float32 first.`,
    );
  }
  const out = backend.makeOutput([], 'float32');
  // Views only after every allocation (a growing heap invalidates older ones).
  const sum = addon.sumOfSquares(tensors.map((t) => backend.typedArrayFromHeap(t) as Float32Array));
  (backend.typedArrayFromHeap(out) as Float32Array)[0] = Math.sqrt(sum);
  return out;
}

/** The fused global norm as a wasm kernel config (a new kernel: nothing replaced). */
export function globalNormConfig(addon: NativeAddon): KernelConfig {
  return {
    kernelName: GLOBAL_NORM_KERNEL,
    backendName: 'wasm',
    kernelFunc: ((args: NativeKernelArgs) => globalNorm(addon, args)) as unknown as KernelFunc,
  };
}
