import { util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { GELU_GRAD_KERNEL, GELU_KERNEL } from '@clapjs/core';
import { KernelPackError } from '@clapjs/kernels-wasm';
import type { NativeAddon } from './addon.js';
import type { NativeKernelArgs } from './previous.js';

function checked(kernel: string, tensors: Record<string, TensorInfo | undefined>): TensorInfo[] {
  const list = Object.values(tensors);
  const first = list[0];
  const size = first === undefined ? -1 : util.sizeFromShape(first.shape);
  if (
    list.some(
      (t) => t === undefined || t.dtype !== 'float32' || !util.arraysEqual(t.shape, first!.shape),
    )
  ) {
    throw new KernelPackError(
      'KERNELS_NATIVE_SHAPE',
      `${kernel}: expected float32 ${Object.keys(tensors).join(' and ')} of one shape, got ` +
        Object.entries(tensors)
          .map(
            ([name, t]) =>
              `${name} ${t === undefined ? 'none' : `${t.dtype} [${t.shape.join(', ')}]`}`,
          )
          .join(', ') +
        `. Pass float32 tensors (size ${size}).`,
    );
  }
  return list as TensorInfo[];
}

/** GELU_KERNEL: y = 0.5·x·(1 + erf(x/√2)) in one native pass (native/gelu.cc). */
function gelu(addon: NativeAddon, { inputs, backend }: NativeKernelArgs): TensorInfo {
  const [x] = checked(GELU_KERNEL, { x: inputs.x });
  const y = backend.makeOutput(x!.shape, 'float32');
  if (util.sizeFromShape(x!.shape) === 0) return y;
  // Views only after every allocation (a growing heap invalidates older ones).
  const view = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
  addon.gelu(0, view(x!), view(y));
  return y;
}

/** GELU_GRAD_KERNEL: dx = dy·gelu′(x) in one native pass. */
function geluGrad(addon: NativeAddon, { inputs, backend }: NativeKernelArgs): TensorInfo {
  const [dy, x] = checked(GELU_GRAD_KERNEL, { dy: inputs.dy, x: inputs.x });
  const dx = backend.makeOutput(x!.shape, 'float32');
  if (util.sizeFromShape(x!.shape) === 0) return dx;
  const view = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
  addon.gelu(1, view(x!), view(dx), view(dy!));
  return dx;
}

/** The fused GELU and its gradient as wasm kernel configs (new kernel names: nothing replaced). */
export function geluConfigs(addon: NativeAddon): KernelConfig[] {
  return [
    {
      kernelName: GELU_KERNEL,
      backendName: 'wasm',
      kernelFunc: ((args: NativeKernelArgs) => gelu(addon, args)) as unknown as KernelFunc,
    },
    {
      kernelName: GELU_GRAD_KERNEL,
      backendName: 'wasm',
      kernelFunc: ((args: NativeKernelArgs) => geluGrad(addon, args)) as unknown as KernelFunc,
    },
  ];
}
