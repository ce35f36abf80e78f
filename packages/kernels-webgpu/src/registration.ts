import {
  AddN,
  AvgPool,
  BatchMatMul,
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  getKernel,
  Mean,
  Sum,
  UnsortedSegmentSum,
  registerKernel,
  unregisterKernel,
  type KernelConfig,
} from '@tensorflow/tfjs-core';
import { claimKernel, kernelClaim, reportKernelPack } from '@clapjs/core';
import { adamUpdateConfig } from './adam.js';
import { addNKernel } from './add-n.js';
import { KernelPackError } from './backend.js';
import { batchMatMulConfig } from './batch-mat-mul.js';
import { reductionConfigs } from './column-reduce.js';
import { convConfigs } from './conv2d.js';
import { segmentSumConfig } from './segment-sum.js';
import { symmetricCrossEntropyConfigs } from './symmetric-ce.js';

const PACK = '@clapjs/kernels-webgpu';

/** The kernels this pack registers for the webgpu backend. */
export const WEBGPU_PACK_KERNELS = [
  BatchMatMul,
  Conv2D,
  Conv2DBackpropInput,
  Conv2DBackpropFilter,
  Sum,
  Mean,
  AvgPool,
  UnsortedSegmentSum,
] as const;

type Wrapped = KernelConfig & { original?: KernelConfig };

// Claimed through core, whose table the ESM and CJS copies of the package share: each copy
// recognises the other's kernels and registration stays idempotent.
function isOurs(config: KernelConfig | undefined): config is Wrapped {
  return kernelClaim(config)?.pack === PACK;
}

/** The backend's own configs, looked through any pack wrapper already registered. */
function originals(): Record<string, KernelConfig> {
  const found: Record<string, KernelConfig> = {};
  for (const name of WEBGPU_PACK_KERNELS) {
    const config = getKernel(name, 'webgpu') as Wrapped | undefined;
    const original = isOurs(config) ? config.original : config;
    if (original === undefined) {
      throw new KernelPackError(
        'KERNELS_WEBGPU_NO_BACKEND',
        `registerWebgpuKernels(): the tfjs webgpu backend has no ${name} kernel registered. ` +
          "Import '@tensorflow/tfjs-backend-webgpu' (or await selectBackend('webgpu') from @clapjs/core) first.",
      );
    }
    found[name] = original;
  }
  return found;
}

/** Options of {@link registerWebgpuKernels}. */
export interface RegisterOptions {
  /**
   * Which of {@link WEBGPU_PACK_KERNELS} to take over (default: all); the others keep, or get
   * back, the backend's own kernels.
   */
  readonly kernels?: readonly string[];
}

/**
 * Registers the pack's kernels for tfjs's webgpu backend, replacing the backend's own: BatchMatMul
 * (plain and transposed operands) and Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter as
 * implicit GEMMs, all on one tiled fp32 GEMM in workgroup memory; Sum and Mean over leading axes
 * and the whole-image AvgPool as column reductions without a transpose; UnsortedSegmentSum (embedding
 * gradients) without atomics, in ascending row order. Also registers core's `ADAM_UPDATE_KERNEL`
 * (one dispatch per variable's Adam/AdamW update). Cases outside the pack's
 * (int32, NCHW, odd batch broadcasts) still run the backend's kernels. Idempotent; call it after
 * `@tensorflow/tfjs-backend-webgpu` is imported (before or after `tf.setBackend('webgpu')`).
 * Whatever `kernels` says, AddN is also taken over: the backend's own fails for more than 7 inputs
 * (one storage buffer per input); the pack sums them in groups. The outcome is reported to
 * @clapjs/core (`reportKernelPack`), so `selectBackend`'s report lists the pack.
 * @returns the names of the kernels now provided by the pack
 * @throws KernelPackError (`KERNELS_WEBGPU_NO_BACKEND`) when the webgpu backend's kernels are not
 *   registered, (`KERNELS_WEBGPU_UNKNOWN`) when `kernels` names one the pack does not have
 */
export function registerWebgpuKernels(options: RegisterOptions = {}): readonly string[] {
  try {
    const registered = register(options);
    reportKernelPack({
      name: PACK,
      backend: 'webgpu',
      loaded: true,
      detail: `${registered.join(', ') || 'no kernel'}; AddN in groups the backend can bind`,
    });
    return registered;
  } catch (error) {
    if (error instanceof KernelPackError && error.code === 'KERNELS_WEBGPU_NO_BACKEND') {
      reportKernelPack({ name: PACK, backend: 'webgpu', loaded: false, detail: error.message });
    }
    throw error;
  }
}

function register(options: RegisterOptions): readonly string[] {
  const wanted = options.kernels ?? WEBGPU_PACK_KERNELS;
  for (const name of wanted) {
    if (!(WEBGPU_PACK_KERNELS as readonly string[]).includes(name)) {
      throw new KernelPackError(
        'KERNELS_WEBGPU_UNKNOWN',
        `registerWebgpuKernels(): kernels names "${name}", which the pack does not have; choose from ${WEBGPU_PACK_KERNELS.join(', ')}.`,
      );
    }
  }
  const found = originals();
  const configs = [
    batchMatMulConfig(found[BatchMatMul]!),
    ...convConfigs(found),
    ...reductionConfigs(found),
    segmentSumConfig(found[UnsortedSegmentSum]!),
  ];
  for (const config of configs) {
    claimKernel(config, PACK);
    unregisterKernel(config.kernelName, 'webgpu');
    registerKernel(wanted.includes(config.kernelName) ? config : found[config.kernelName]!);
  }
  // AddN is a fix, not a speed-up (the backend's own fails beyond 7 inputs): always taken over,
  // and kept by unregisterWebgpuKernels.
  const addN = getKernel(AddN, 'webgpu');
  if (addN !== undefined && !isOurs(addN)) {
    const config = addNKernel(addN);
    claimKernel(config, PACK);
    unregisterKernel(AddN, 'webgpu');
    registerKernel(config);
  }
  // The fused loss and optimizer kernels (named by core) have no tfjs original; they are always
  // registered, and used by @clapjs/losses' symmetricClapLoss and the trainer's optimizer.
  for (const config of [...symmetricCrossEntropyConfigs(), adamUpdateConfig()]) {
    if (getKernel(config.kernelName, 'webgpu') === undefined) registerKernel(config);
  }
  return WEBGPU_PACK_KERNELS.filter((name) => wanted.includes(name));
}

/** Puts the backend's own kernels back (for side-by-side measurements). Idempotent. */
export function unregisterWebgpuKernels(): void {
  for (const name of WEBGPU_PACK_KERNELS) {
    const config = getKernel(name, 'webgpu');
    if (!isOurs(config) || config.original === undefined) continue;
    unregisterKernel(name, 'webgpu');
    registerKernel(config.original);
  }
}

/** Whether all the pack's kernels are registered for the webgpu backend (by any copy of the package). */
export function webgpuKernelsRegistered(): boolean {
  return WEBGPU_PACK_KERNELS.every((name) => isOurs(getKernel(name, 'webgpu')));
}
