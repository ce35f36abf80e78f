import {
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelConfig,
} from '@tensorflow/tfjs-core';
import { reportKernelPack } from '@clapjs/core';
import { avgPoolGradConfig } from './avg-pool-grad.js';
import { batchMatMulConfig } from './batch-mat-mul.js';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.js';
import { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from './depthwise.js';
import { oneHotConfig } from './one-hot.js';
import { captureOriginals } from './originals.js';
import { unsortedSegmentSumConfig } from './segment-sum.js';

// Marks configs registered by this pack; a global symbol, so that two copies of the package
// (ESM and CJS) recognise each other's kernels and registration stays idempotent.
const MARK = Symbol.for('@clapjs/kernels-wasm');

// Marks configs registered by any clapjs kernel pack that builds on this one (e.g.
// @clapjs/kernels-native overrides Conv2DBackpropFilter after registering this pack): such a
// kernel counts as "registered", so registering this pack again does not replace it.
const ANY_PACK = Symbol.for('@clapjs/kernel-pack');

function isOurs(config: KernelConfig | undefined): boolean {
  return config !== undefined && (config as unknown as Record<symbol, unknown>)[MARK] === true;
}

function isPacked(config: KernelConfig | undefined): boolean {
  return (
    isOurs(config) ||
    (config !== undefined && (config as unknown as Record<symbol, unknown>)[ANY_PACK] === true)
  );
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
  captureOriginals((config) => isOurs(config));
  const configs = [
    conv2DBackpropFilterConfig,
    conv2DBackpropInputConfig,
    unsortedSegmentSumConfig,
    depthwiseBackpropFilterConfig,
    depthwiseBackpropInputConfig,
    batchMatMulConfig(),
    oneHotConfig,
    avgPoolGradConfig,
  ];
  for (const config of configs) {
    (config as unknown as Record<symbol, unknown>)[MARK] = true;
    if (getKernel(config.kernelName, 'wasm') !== undefined)
      unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
  }
  reportKernelPack({
    name: '@clapjs/kernels-wasm',
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
