import { AddN, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { webgpuKernel, type WebGpuKernelArgs } from './backend.js';

/**
 * AddN over any number of tensors. tfjs-backend-webgpu's AddN binds one storage buffer per input
 * in a single shader, and a shader stage may bind only `maxStorageBuffersPerShaderStage` (8 by
 * default, and tfjs does not ask for more) — one of them the output. So `tf.addN` of more than 7
 * tensors (a global gradient norm over a model's variables) fails pipeline validation and
 * returns garbage. Here the inputs are summed in groups the backend's kernel can take, then the
 * group sums, until one group is left. Returns undefined (the original runs) when it fits.
 */
export function addNKernel(original: KernelConfig): KernelConfig {
  const run = ({ inputs, backend }: WebGpuKernelArgs): TensorInfo | undefined => {
    const tensors = inputs as unknown as TensorInfo[];
    const max = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
    if (tensors.length <= max) return undefined;
    const temporaries: TensorInfo[] = [];
    let level = tensors;
    while (level.length > max) {
      const next: TensorInfo[] = [];
      for (let i = 0; i < level.length; i += max) {
        const group = level.slice(i, i + max);
        if (group.length === 1) {
          next.push(group[0]!);
          continue;
        }
        const sum = original.kernelFunc({
          inputs: group as never,
          backend: backend,
          attrs: {},
        }) as TensorInfo;
        temporaries.push(sum);
        next.push(sum);
      }
      level = next;
    }
    const result = original.kernelFunc({
      inputs: level as never,
      backend: backend,
      attrs: {},
    }) as TensorInfo;
    for (const t of temporaries) backend.disposeData(t.dataId);
    return result;
  };
  return webgpuKernel(AddN, run, original);
}
