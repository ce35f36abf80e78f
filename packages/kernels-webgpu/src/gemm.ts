import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGpuBackend } from './backend.js';
import { chooseSplits, GemmProgram, SplitSumProgram, type GemmSpec } from './gemm-program.js';

/**
 * Runs a GEMM on the webgpu backend: one dispatch, or a split-K dispatch and a summing one when
 * the output has too few tiles to fill the GPU (the convolution filter gradients: small M·N,
 * K = batch · height · width).
 */
export function runGemm(
  backend: WebGpuBackend,
  spec: GemmSpec,
  a: TensorInfo,
  b: TensorInfo,
): TensorInfo {
  const splits = chooseSplits(spec);
  const product = backend.runWebGPUProgram(new GemmProgram(spec, splits), [a, b], 'float32');
  if (splits === 1) return product;
  try {
    return backend.runWebGPUProgram(
      new SplitSumProgram(spec.outputShape, splits),
      [product],
      'float32',
    );
  } finally {
    backend.disposeData(product.dataId);
  }
}
