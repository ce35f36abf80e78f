/**
 * @clapjs/kernels-webgpu — a tfjs kernel pack for the WebGPU backend: one tiled, vectorised fp32
 * GEMM in workgroup memory behind BatchMatMul and the three convolution kernels (implicit GEMM,
 * split-K for the filter gradient). Importing this entry registers nothing; call
 * {@link registerWebgpuKernels} or import `@clapjs/kernels-webgpu/register`.
 * @packageDocumentation
 */
export {
  registerWebgpuKernels,
  unregisterWebgpuKernels,
  webgpuKernelsRegistered,
  WEBGPU_PACK_KERNELS,
  type RegisterOptions,
} from './registration.js';
export { KernelPackError } from './backend.js';
