/**
 * Side-effect entry: loads tfjs's webgpu backend and registers the kernel pack for it. In Node,
 * set `navigator.gpu` (the `webgpu` package's `create([])`) before importing this, or call
 * `selectBackend('webgpu')` from @clapjs/core first, which does that.
 * @packageDocumentation
 */
import '@tensorflow/tfjs-backend-webgpu';
import { registerWebgpuKernels } from './registration.js';

registerWebgpuKernels();
