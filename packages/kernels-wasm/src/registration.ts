import {
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelConfig,
} from '@tensorflow/tfjs-core';
import { claimKernel, kernelClaim, reportKernelPack } from '@clapjs/core';
import { avgPoolGradConfig } from './avg-pool-grad.js';
import { batchMatMulConfig } from './batch-mat-mul.js';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.js';
import { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from './depthwise.js';
import { identityConfig } from './identity.js';
import { oneHotConfig } from './one-hot.js';
import { captureOriginals } from './originals.js';
import { unsortedSegmentSumConfig } from './segment-sum.js';
import { sumConfig } from './sum.js';

const PACK = '@clapjs/kernels-wasm';

// Kernels are claimed through core, whose table every copy of this package (ESM and CJS) shares:
// a kernel claimed by this pack or one that builds on it (e.g. @clapjs/kernels-native) counts as
// "registered", so registering this pack again does not replace it.
function isPacked(config: KernelConfig | undefined): boolean {
  return kernelClaim(config) !== undefined;
}

/** The kernels this pack registers for the wasm backend, in registration order. */
export const WASM_PACK_KERNELS = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'UnsortedSegmentSum',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'BatchMatMul',
  'OneHot',
  'AvgPoolGrad',
  'Identity',
  'Sum',
] as const;

/**
 * Registers the pack's kernels for tfjs's wasm backend: the missing gradient kernels
 * (Conv2DBackpropFilter, UnsortedSegmentSum, DepthwiseConv2dNativeBackpropFilter/Input), a
 * Conv2DBackpropInput at matMul speed (the backend's own is a scalar loop), a BatchMatMul that
 * runs transposed operands at untransposed speed, a correct float OneHot and a faster AvgPoolGrad.
 * Idempotent. Call it after `@tensorflow/tfjs-backend-wasm` is imported (before or after
 * `tf.setBackend('wasm')`).
 * @returns the names of the kernels the pack provides
 * @throws KernelPackError (`KERNELS_WASM_NO_BACKEND`) when the wasm backend is not registered
 */
export function registerWasmKernels(): readonly string[] {
  if (isPacked(getKernel('Conv2DBackpropFilter', 'wasm'))) return WASM_PACK_KERNELS;
  captureOriginals(isPacked);
  const configs = [
    conv2DBackpropFilterConfig,
    conv2DBackpropInputConfig,
    unsortedSegmentSumConfig,
    depthwiseBackpropFilterConfig,
    depthwiseBackpropInputConfig,
    batchMatMulConfig(),
    oneHotConfig,
    avgPoolGradConfig,
    identityConfig,
    sumConfig(),
  ];
  for (const config of configs) {
    // Its BatchMatMul runs transposed operands at untransposed speed.
    claimKernel(config, PACK, config.kernelName === 'BatchMatMul' ? ['transposed-matmul'] : []);
    if (getKernel(config.kernelName, 'wasm') !== undefined)
      unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
  }
  reportKernelPack({
    name: PACK,
    backend: 'wasm',
    loaded: true,
    detail: `${WASM_PACK_KERNELS.length} kernels (${WASM_PACK_KERNELS.join(', ')})`,
  });
  return WASM_PACK_KERNELS;
}

/** Whether the pack's kernels are registered for the wasm backend (by any copy of the package). */
export function wasmKernelsRegistered(): boolean {
  return isPacked(getKernel('Conv2DBackpropFilter', 'wasm'));
}
