/**
 * @clapjs/kernels-native — optional native CPU kernels for tfjs's wasm backend: Conv2D, its two
 * gradients and BatchMatMul through oneDNN (a Node addon), computed in place on the wasm heap with
 * oneDNN's own threads. Without the addon it falls back to @clapjs/kernels-wasm. Importing this
 * entry registers nothing; call {@link registerNativeKernels} or import
 * `@clapjs/kernels-native/register`.
 * @packageDocumentation
 */
export {
  NATIVE_FUSED_KERNELS,
  NATIVE_KERNELS,
  nativeKernelsStatus,
  nativeThreads,
  registerNativeKernels,
  setNativeThreads,
} from './registration.js';
export type { NativeKernelsStatus, RegisterNativeOptions } from './registration.js';
/** The error class of the pack's deliberate errors (shared with @clapjs/kernels-wasm). */
export { KernelPackError } from '@clapjs/kernels-wasm';
