import {
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import {
  ADAM_UPDATE_KERNEL,
  BATCH_NORM_GRAD_KERNEL,
  BATCH_NORM_KERNEL,
  claimKernel,
  GELU_GRAD_KERNEL,
  GELU_KERNEL,
  GLOBAL_NORM_KERNEL,
  kernelClaim,
  reportKernelPack,
  sharedState,
  type KernelCapability,
} from '@clapjs/core';
import { registerWasmKernels } from '@clapjs/kernels-wasm';
import { adamUpdateConfig } from './adam.js';
import { loadAddon, type NativeAddon } from './addon.js';
import { batchMatMul } from './batch-mat-mul.js';
import { batchNormConfigs } from './batch-norm.js';
import { conv2D, conv2DBackpropFilter, conv2DBackpropInput } from './conv2d.js';
import { geluConfigs } from './gelu.js';
import { globalNormConfig } from './global-norm.js';
import { avgPool, avgPoolGrad } from './pool.js';
import { setPrevious, type NativeKernelArgs } from './previous.js';

/** The kernels this pack runs natively (on the wasm backend's tensors). */
export const NATIVE_KERNELS = [
  'Conv2D',
  'Conv2DBackpropInput',
  'Conv2DBackpropFilter',
  'BatchMatMul',
  'AvgPool',
  'AvgPoolGrad',
] as const;

/** The kernels this pack adds (core's fused-kernel contracts; none replaces a tfjs kernel). */
export const NATIVE_FUSED_KERNELS = [
  ADAM_UPDATE_KERNEL,
  GELU_KERNEL,
  GELU_GRAD_KERNEL,
  BATCH_NORM_KERNEL,
  BATCH_NORM_GRAD_KERNEL,
  GLOBAL_NORM_KERNEL,
] as const;

const PACK = '@clapjs/kernels-native';

type Wrapped = KernelConfig & { previous?: KernelConfig; original?: KernelConfig };

// Claimed through core, whose table the ESM and CJS copies of the package share: each copy
// recognises the other's kernels and registration stays idempotent. @clapjs/kernels-wasm sees a
// claimed kernel as its pack registered (the native kernels include its kernels, falling back to
// them), so a later registerWasmKernels() does not replace them.
function ours(config: KernelConfig | undefined): config is Wrapped {
  return kernelClaim(config)?.pack === PACK;
}

// What the native kernels promise (core's KernelCapability): BatchMatMul reads transposed operands
// directly (as kernels-wasm's does) and the convolution gradients are oneDNN's.
const CAPABILITIES: Partial<Record<(typeof NATIVE_KERNELS)[number], KernelCapability[]>> = {
  BatchMatMul: ['transposed-matmul'],
  Conv2DBackpropFilter: ['conv2d-gradient-kernels'],
  Conv2DBackpropInput: ['conv2d-gradient-kernels'],
};

/** What {@link nativeKernelsStatus} and {@link registerNativeKernels} report. */
export interface NativeKernelsStatus {
  /** Whether the native kernels are registered for the wasm backend. */
  loaded: boolean;
  /** Loaded: library, CPU code path, threads, kernels; not loaded: why, and the fix. */
  detail: string;
  /** oneDNN's threads for calls from this thread (loaded only). */
  threads?: number;
  /** The native library, e.g. `oneDNN 2.6.3` (loaded only). */
  library?: string;
  /** The addon file that was (or would have been) loaded. */
  addonPath?: string;
}

/** Options of {@link registerNativeKernels}. */
export interface RegisterNativeOptions {
  /** The addon file; default $CLAPJS_NATIVE_ADDON, else the one built into dist/. */
  addonPath?: string;
  /**
   * oneDNN threads for kernels called from this thread. Default: $CLAPJS_NATIVE_THREADS when set
   * (e.g. one per gradient worker_thread), else OpenMP's default (all cores, or $OMP_NUM_THREADS).
   */
  threads?: number;
}

// Through core's shared state: the ESM and CJS copies share the loaded addon and the status.
interface PackState {
  addon?: NativeAddon;
  status: NativeKernelsStatus;
}
function state(): PackState {
  return sharedState<PackState>(`${PACK}/state`, () => ({
    status: { loaded: false, detail: 'registerNativeKernels() has not been called' },
  }));
}

const IMPLEMENTATIONS: Record<
  (typeof NATIVE_KERNELS)[number],
  (addon: NativeAddon, args: NativeKernelArgs) => TensorInfo
> = {
  Conv2D: conv2D,
  Conv2DBackpropInput: conv2DBackpropInput,
  Conv2DBackpropFilter: conv2DBackpropFilter,
  BatchMatMul: batchMatMul,
  AvgPool: avgPool,
  AvgPoolGrad: avgPoolGrad,
};

function describe(addon: NativeAddon, path: string): NativeKernelsStatus {
  const info = addon.info();
  const threads = addon.threads();
  return {
    loaded: true,
    detail: `oneDNN ${info.version} (${info.isa}, ${info.runtime}), ${threads} thread${threads === 1 ? '' : 's'}: ${[...NATIVE_KERNELS, ...NATIVE_FUSED_KERNELS].join(', ')}`,
    threads,
    library: `oneDNN ${info.version}`,
    addonPath: path,
  };
}

/** Puts the replaced kernels back (used when a later call cannot load the addon). */
function restorePrevious(): void {
  for (const name of NATIVE_FUSED_KERNELS)
    if (ours(getKernel(name, 'wasm'))) unregisterKernel(name, 'wasm');
  for (const name of NATIVE_KERNELS) {
    const current = getKernel(name, 'wasm');
    if (!ours(current) || current.previous === undefined) continue;
    unregisterKernel(name, 'wasm');
    registerKernel(current.previous);
  }
}

function registerNative(addon: NativeAddon): void {
  for (const name of NATIVE_KERNELS) {
    const current = getKernel(name, 'wasm') as KernelConfig | undefined;
    // Another copy of this package registered first: keep the kernel it replaced as ours to call.
    const previous = ours(current) ? current.previous : current;
    if (previous === undefined)
      throw new Error(`@clapjs/kernels-native: no wasm ${name} kernel to replace`);
    setPrevious(previous);
    if (ours(current)) continue;
    const impl = IMPLEMENTATIONS[name];
    const config: Wrapped = {
      kernelName: name,
      backendName: 'wasm',
      kernelFunc: ((args: NativeKernelArgs) => impl(addon, args)) as unknown as KernelFunc,
      // The previous kernel's setup (e.g. XNNPACK's cwrap) must still run when the backend
      // initialises: the native kernel falls back to it.
      ...(previous.setupFunc !== undefined ? { setupFunc: previous.setupFunc } : {}),
      previous,
      // kernels-wasm finds the backend's own BatchMatMul behind its wrapper through `original`.
      ...((previous as Wrapped).original !== undefined
        ? { original: (previous as Wrapped).original }
        : {}),
    };
    claimKernel(config, PACK, CAPABILITIES[name] ?? []);
    unregisterKernel(name, 'wasm');
    registerKernel(config);
  }
  // The fused kernels (core's contracts: the trainer's Adam update, layers' GELU,
  // audio-encoders' BatchNorm, the trainer's global norm): new kernels,
  // nothing replaced.
  for (const config of [
    adamUpdateConfig(addon),
    ...geluConfigs(addon),
    ...batchNormConfigs(addon),
    globalNormConfig(addon),
  ]) {
    const name = config.kernelName;
    if (ours(getKernel(name, 'wasm'))) continue;
    claimKernel(config, PACK, []);
    if (getKernel(name, 'wasm') !== undefined) unregisterKernel(name, 'wasm');
    registerKernel(config);
  }
}

/**
 * Registers `@clapjs/kernels-wasm`'s kernels for tfjs's wasm backend, then, when the oneDNN addon
 * loads, replaces Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter, BatchMatMul, AvgPool and
 * AvgPoolGrad with native ones that compute in place on the wasm heap, and adds core's fused
 * Adam update, GELU and training-mode BatchNorm (with their gradients) and global norm. When the addon cannot load (not built, libdnnl
 * missing, built for another machine) only the wasm pack is registered and the status says why
 * and how to fix it. Either way the outcome is reported to @clapjs/core (`reportKernelPack`), so
 * `selectBackend` shows it. Idempotent. Call it after `@tensorflow/tfjs-backend-wasm` is imported.
 * @throws KernelPackError (from @clapjs/kernels-wasm) when the wasm backend is not registered
 */
export function registerNativeKernels(options: RegisterNativeOptions = {}): NativeKernelsStatus {
  registerWasmKernels();
  const s = state();
  const load = loadAddon(options.addonPath);
  if (load.ok) {
    const threads = options.threads ?? threadsFromEnv();
    if (threads !== undefined) load.addon.setThreads(threads);
    const layout = process.env.CLAPJS_NATIVE_LAYOUT;
    if (layout === 'any' || layout === 'direct') load.addon.setLayout(layout);
    registerNative(load.addon);
    s.addon = load.addon;
    s.status = describe(load.addon, load.path);
  } else {
    restorePrevious();
    s.addon = undefined;
    s.status = {
      loaded: false,
      detail: `${load.reason} (running @clapjs/kernels-wasm's kernels instead)`,
      addonPath: load.path,
    };
  }
  reportKernelPack({
    name: PACK,
    backend: 'wasm',
    loaded: s.status.loaded,
    detail: s.status.detail,
  });
  return { ...s.status };
}

function threadsFromEnv(): number | undefined {
  const value = process.env.CLAPJS_NATIVE_THREADS;
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(
      `CLAPJS_NATIVE_THREADS=${value}: expected an integer ≥ 1 (threads for oneDNN's kernels)`,
    );
  }
  return n;
}

/** Whether the native kernels are loaded, and what they are or why not (after registration). */
export function nativeKernelsStatus(): NativeKernelsStatus {
  const s = state();
  return s.addon === undefined ? { ...s.status } : { ...s.status, threads: s.addon.threads() };
}

/**
 * Sets oneDNN's thread count for native kernels called from this thread (OpenMP's setting is per
 * calling thread: each worker_thread that runs tfjs sets its own). Returns the count in effect.
 * @throws Error when the native kernels are not loaded
 */
export function setNativeThreads(n: number): number {
  const addon = state().addon;
  if (addon === undefined)
    throw new Error(`@clapjs/kernels-native is not loaded: ${state().status.detail}`);
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`setNativeThreads(${n}): expected an integer ≥ 1`);
  const threads = addon.setThreads(n);
  state().status = describe(addon, state().status.addonPath ?? '');
  reportKernelPack({ name: PACK, backend: 'wasm', loaded: true, detail: state().status.detail });
  return threads;
}

/** oneDNN's thread count for native kernels called from this thread; undefined when not loaded. */
export function nativeThreads(): number | undefined {
  return state().addon?.threads();
}
