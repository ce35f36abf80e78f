/**
 * @clapjs/core — the contracts every clapjs part implements, the plugin registry, backend
 * selection, the seeded RNG, and (as a side effect of importing it) tfjs gradient registration.
 * @packageDocumentation
 */
// tfjs-core's Node bundle registers no gradient functions
// (docs/engineering-notes.md, "Gradient registration"); its ESM gradient files are
// bundled into this entry at build time (tsup.config.ts) and register into tfjs's global gradient
// registry, which every copy of tfjs-core shares. Importing @clapjs/core is enough to train.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';

export type * from './contracts.js';
export { AUTO_BACKEND_ORDER, formatBackendReport, selectBackend } from './backend.js';
export type {
  BackendAttempt,
  BackendName,
  BackendPreference,
  BackendSelection,
  SelectBackendOptions,
} from './backend.js';
export {
  ADAM_UPDATE_KERNEL,
  claimKernel,
  hasKernelCapability,
  KERNEL_CAPABILITY_KERNELS,
  kernelClaim,
  kernelPackStatuses,
  registeredKernelClaim,
  reportKernelPack,
  SYMMETRIC_CE_GRAD_KERNEL,
  SYMMETRIC_CE_LSE_KERNEL,
} from './kernel-packs.js';
export type {
  AdamUpdateAttrs,
  KernelCapability,
  KernelClaim,
  KernelPackStatus,
} from './kernel-packs.js';
export { BATCH_NORM_GRAD_KERNEL, BATCH_NORM_KERNEL } from './batch-norm-kernels.js';
export type { BatchNormAttrs } from './batch-norm-kernels.js';
export { GELU_GRAD_KERNEL, GELU_KERNEL } from './gelu-kernels.js';
export { GLOBAL_NORM_KERNEL } from './global-norm-kernel.js';
export { BackendError, ClapError, ConfigError, PluginError } from './errors.js';
export { definePlugin, PLUGIN_KINDS } from './plugin.js';
export type { AnyPlugin, Plugin, PluginContexts, PluginInstances, PluginKind } from './plugin.js';
export { create, get, list, parseConfig, register, unregister } from './registry.js';
export { Rng } from './rng.js';
export { sharedState } from './shared-state.js';
export type { RngState } from './rng.js';
export { CORE_VERSION } from './version.js';
export { z } from 'zod';
