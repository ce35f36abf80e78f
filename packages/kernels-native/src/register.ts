/**
 * Side-effect entry: loads tfjs's wasm backend and registers the native kernels (or, when the
 * addon cannot load, @clapjs/kernels-wasm's). `import '@clapjs/kernels-native/register'`, then
 * `await selectBackend('wasm')`.
 * @packageDocumentation
 */
import '@tensorflow/tfjs-backend-wasm';
import { registerNativeKernels } from './registration.js';

registerNativeKernels();
