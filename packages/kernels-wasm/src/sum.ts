import {
  getKernel,
  Sum,
  util,
  type KernelConfig,
  type KernelFunc,
  type SumAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { wasmKernel, withShape, type WasmKernelArgs } from './wasm-backend.js';

type Wrapped = KernelConfig & { original?: KernelConfig };

/**
 * The float32 sum over leading axes (e.g. a bias gradient: a [rows, n] gradient summed over its
 * rows) as one matMul `ones[1, rows] · x[rows, n]` through the BatchMatMul kernel registered now
 * (XNNPACK, or @clapjs/kernels-native's oneDNN). tfjs-wasm's own Sum transposes the whole input
 * first to reduce over its last axis: 5–15× slower for the [768, 512] bias gradient of the default
 * model's feed-forward layer. Every other reduction runs the backend's own kernel.
 */
function sumWith(original: KernelConfig) {
  return (args: WasmKernelArgs): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs as { x: TensorInfo };
    const { axis, keepDims } = attrs as unknown as SumAttrs;
    const axes = util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const leading =
      axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
    const matMul = getKernel('BatchMatMul', 'wasm');
    if (x.dtype !== 'float32' || !leading || matMul === undefined)
      return (original.kernelFunc as KernelFunc)(args as never) as TensorInfo;
    const rows = util.sizeFromShape(x.shape.slice(0, axes.length));
    const kept = x.shape.slice(axes.length);
    const cols = util.sizeFromShape(kept);
    const ones = backend.makeOutput([1, rows], 'float32');
    (backend.typedArrayFromHeap(ones) as Float32Array).fill(1);
    const out = (matMul.kernelFunc as KernelFunc)({
      inputs: { a: ones, b: withShape(x, [rows, cols]) },
      backend: backend as never,
      attrs: { transposeA: false, transposeB: false },
    }) as TensorInfo;
    backend.disposeData(ones.dataId);
    const shape = keepDims ? [...axes.map(() => 1), ...kept] : kept;
    return withShape(out, shape);
  };
}

/** Sum for the wasm backend: leading-axis float32 sums as a matMul, the rest as before. */
export function sumConfig(): KernelConfig {
  const current = getKernel(Sum, 'wasm') as Wrapped | undefined;
  // A second copy of the pack (dual ESM/CJS load) finds the original behind the first's wrapper.
  const original = current?.original ?? current;
  if (original === undefined) throw new Error(`@clapjs/kernels-wasm: no wasm ${Sum} kernel`);
  const config = wasmKernel(Sum, sumWith(original) as never, original.setupFunc);
  return Object.assign(config, { original });
}
