import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';
import { KernelPackError } from './wasm-backend.js';

type Pair = number | [number, number];
type Pad = 'same' | 'valid' | number | backend_util.ExplicitPadding;

/** The geometry of a 2-D convolution, NHWC, as tfjs computes it (so results match cpu). */
export function convInfo(
  kernel: string,
  inShape: number[],
  filterShape: number[],
  attrs: {
    strides: Pair;
    dilations?: Pair;
    pad: Pad;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    dataFormat?: string;
  },
  depthwise: boolean,
): backend_util.Conv2DInfo {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') {
    throw new KernelPackError(
      'KERNELS_WASM_DATA_FORMAT',
      `${kernel}: dataFormat ${attrs.dataFormat} is not supported on wasm, expected NHWC. Transpose the input to NHWC.`,
    );
  }
  return backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
  );
}

/** Shape check with a typed error (tfjs' own asserts throw plain Errors). */
export function requireRank(kernel: string, name: string, info: TensorInfo, rank: number): void {
  if (info.shape.length !== rank) {
    throw new KernelPackError(
      'KERNELS_WASM_SHAPE',
      `${kernel}: input "${name}" has shape [${info.shape.join(', ')}], expected rank ${rank}.`,
    );
  }
}
