import { util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { ADAM_UPDATE_KERNEL, type AdamUpdateAttrs } from '@clapjs/core';
import { KernelPackError } from '@clapjs/kernels-wasm';
import type { NativeAddon } from './addon.js';
import type { NativeKernelArgs } from './previous.js';

/**
 * Adam/AdamW for one variable in one native pass (native/adam.cc): @clapjs/core's
 * ADAM_UPDATE_KERNEL, bit for bit what the trainer's tfjs ops compute, without their ~15 kernel
 * calls and full-size temporaries per variable.
 */
function adamUpdate(
  addon: NativeAddon,
  { inputs, backend, attrs }: NativeKernelArgs,
): TensorInfo[] {
  const { variable, m, v, gradient } = inputs as Record<string, TensorInfo | undefined>;
  const all = [variable, m, v, gradient];
  const size = variable === undefined ? 0 : util.sizeFromShape(variable.shape);
  if (
    all.some(
      (t) => t === undefined || t.dtype !== 'float32' || util.sizeFromShape(t.shape) !== size,
    )
  ) {
    throw new KernelPackError(
      'KERNELS_NATIVE_SHAPE',
      `${ADAM_UPDATE_KERNEL}: expected float32 variable, m, v and gradient of one size, got ` +
        all
          .map((t) => (t === undefined ? 'none' : `${t.dtype} [${t.shape.join(', ')}]`))
          .join(', ') +
        '. Pass a variable with its moments and its gradient.',
    );
  }
  const a = attrs as unknown as AdamUpdateAttrs;
  const outputs = [0, 1, 2].map(() => backend.makeOutput(variable!.shape, 'float32'));
  if (size === 0) return outputs;
  const decayed = a.weightDecay > 0;
  // Each constant rounded to float32 once, from its double-precision value (the contract's rule).
  const constants = Float32Array.of(
    a.scale,
    decayed && a.kind === 'adam' ? a.weightDecay : 0,
    a.beta1,
    1 - a.beta1,
    a.beta2,
    1 - a.beta2,
    1 - a.beta2 ** a.step,
    a.epsilon,
    a.lr / (1 - a.beta1 ** a.step),
    decayed && a.kind === 'adamw' ? a.lr * a.weightDecay : 0,
  );
  // Views only after every allocation (a growing heap invalidates older ones).
  const view = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
  addon.adamUpdate(
    view(variable!),
    view(m!),
    view(v!),
    view(gradient!),
    view(outputs[0]!),
    view(outputs[1]!),
    view(outputs[2]!),
    constants,
  );
  return outputs;
}

/** The fused Adam update as a wasm kernel config (a new kernel name: nothing to fall back to). */
export function adamUpdateConfig(addon: NativeAddon): KernelConfig {
  return {
    kernelName: ADAM_UPDATE_KERNEL,
    backendName: 'wasm',
    kernelFunc: ((args: NativeKernelArgs) => adamUpdate(addon, args)) as unknown as KernelFunc,
  };
}
