/**
 * Side-effect entry: loads tfjs's wasm backend and registers the kernel pack for it.
 * `import '@clapjs/kernels-wasm/register'`, then `await selectBackend('wasm')` (or
 * `tf.setBackend('wasm')`).
 * @packageDocumentation
 */
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmKernels } from './registration.js';

registerWasmKernels();
