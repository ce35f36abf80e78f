/**
 * @clapjs/kernels-wasm — a tfjs kernel pack for the wasm backend: the gradient kernels training
 * needs, transposed matMul at untransposed speed and a correct float one-hot. Importing this entry
 * registers nothing; call {@link registerWasmKernels} or import `@clapjs/kernels-wasm/register`.
 * @packageDocumentation
 */
export { registerWasmKernels, wasmKernelsRegistered, WASM_PACK_KERNELS } from './registration.js';
export { KernelPackError } from './wasm-backend.js';
