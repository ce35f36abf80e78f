import {
  backend_util,
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  type Conv2DAttrs,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { webgpuKernel, type WebGpuKernelArgs } from './backend.js';
import { runGemm } from './gemm.js';

type Info = backend_util.Conv2DInfo;
type Shape4 = [number, number, number, number];

// Every convolution below is one implicit GEMM over NHWC tensors: the loaders turn (m, k) into
// input coordinates, so no im2col matrix is ever written. The sizes are WGSL constants, so the
// divisions compile to multiplies and shifts.

/** WGSL that sets iy, ix for output pixel (oy, ox) and filter tap (kh, kw), and reads x or 0. */
function readInput(c: Info, buffer: string, b: string, channel: string): string {
  return `let iy = oy * ${c.strideHeight} - ${c.padInfo.top} + kh * ${c.dilationHeight};
    let ix = ox * ${c.strideWidth} - ${c.padInfo.left} + kw * ${c.dilationWidth};
    if (iy < 0 || iy >= ${c.inHeight} || ix < 0 || ix >= ${c.inWidth}) { return 0.0; }
    return ${buffer}[((${b} * ${c.inHeight} + iy) * ${c.inWidth} + ix) * ${c.inChannels} + ${channel}];`;
}

function key(c: Info): string {
  return [
    c.filterHeight,
    c.filterWidth,
    c.strideHeight,
    c.strideWidth,
    c.dilationHeight,
    c.dilationWidth,
    c.padInfo.top,
    c.padInfo.left,
    c.inHeight,
    c.inWidth,
    c.inChannels,
    c.outHeight,
    c.outWidth,
    c.outChannels,
  ].join('_');
}

function supported(c: Info, ...tensors: TensorInfo[]): boolean {
  return (
    c.dataFormat === 'channelsLast' &&
    tensors.every((t) => t.dtype === 'float32') &&
    c.batchSize > 0
  );
}

/** Forward: M = batch·outH·outW pixels, N = out channels, K = taps·in channels. */
export function conv2D({ inputs, backend, attrs }: WebGpuKernelArgs): TensorInfo | undefined {
  const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as Conv2DAttrs;
  const c = backend_util.computeConv2DInfo(
    x.shape as Shape4,
    filter.shape as Shape4,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  if (!supported(c, x, filter)) return undefined;
  return runGemm(
    backend,
    {
      name: `conv_${key(c)}`,
      batch: 1,
      m: c.batchSize * c.outHeight * c.outWidth,
      n: c.outChannels,
      k: c.filterHeight * c.filterWidth * c.inChannels,
      loadA: `let ox = m % ${c.outWidth}; let t = m / ${c.outWidth}; let oy = t % ${c.outHeight}; let bb = t / ${c.outHeight};
      let ch = k % ${c.inChannels}; let tap = k / ${c.inChannels}; let kw = tap % ${c.filterWidth}; let kh = tap / ${c.filterWidth};
      ${readInput(c, 'A', 'bb', 'ch')}`,
      loadB: `return B[k * ${c.outChannels} + n];`,
      aAlongM: c.inChannels < 16,
      bAlongN: true,
      outputShape: [c.batchSize, c.outHeight, c.outWidth, c.outChannels],
    },
    x,
    filter,
  );
}

/** Input gradient: M = batch·inH·inW pixels, N = in channels, K = taps·out channels. */
export function conv2DBackpropInput({
  inputs,
  backend,
  attrs,
}: WebGpuKernelArgs): TensorInfo | undefined {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } =
    attrs as unknown as Conv2DBackpropInputAttrs;
  const c = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as Shape4,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  if (!supported(c, dy, filter)) return undefined;
  // dx[iy] = Σ dy[oy]·w[kh] over oy·stride − pad + kh = iy: oy = (iy + pad − kh) / stride, exact.
  return runGemm(
    backend,
    {
      name: `convdx_${key(c)}`,
      batch: 1,
      m: c.batchSize * c.inHeight * c.inWidth,
      n: c.inChannels,
      k: c.filterHeight * c.filterWidth * c.outChannels,
      loadA: `let ix = m % ${c.inWidth}; let t = m / ${c.inWidth}; let iy = t % ${c.inHeight}; let bb = t / ${c.inHeight};
      let co = k % ${c.outChannels}; let tap = k / ${c.outChannels}; let kw = tap % ${c.filterWidth}; let kh = tap / ${c.filterWidth};
      let yy = iy + ${c.padInfo.top} - kh * ${c.dilationHeight};
      let xx = ix + ${c.padInfo.left} - kw * ${c.dilationWidth};
      if (yy < 0 || xx < 0 || yy % ${c.strideHeight} != 0 || xx % ${c.strideWidth} != 0) { return 0.0; }
      let oy = yy / ${c.strideHeight};
      let ox = xx / ${c.strideWidth};
      if (oy >= ${c.outHeight} || ox >= ${c.outWidth}) { return 0.0; }
      return A[((bb * ${c.outHeight} + oy) * ${c.outWidth} + ox) * ${c.outChannels} + co];`,
      loadB: `let co = k % ${c.outChannels}; let tap = k / ${c.outChannels};
      return B[(tap * ${c.inChannels} + n) * ${c.outChannels} + co];`,
      aAlongM: c.outChannels < 16,
      bAlongN: c.outChannels < 16,
      outputShape: [c.batchSize, c.inHeight, c.inWidth, c.inChannels],
    },
    dy,
    filter,
  );
}

/**
 * Filter gradient: M = taps·in channels, N = out channels, K = batch·outH·outW. M·N is small and
 * K large, so this is the GEMM that split-K exists for (tfjs's own kernel loops over K per output
 * element: 95 % of a CLAP-mini step on an H200, docs/engineering-notes.md, "WebGPU: where a training step goes").
 */
export function conv2DBackpropFilter({
  inputs,
  backend,
  attrs,
}: WebGpuKernelArgs): TensorInfo | undefined {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
    attrs as unknown as Conv2DBackpropFilterAttrs;
  const c = backend_util.computeConv2DInfo(
    x.shape as Shape4,
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  if (!supported(c, x, dy)) return undefined;
  return runGemm(
    backend,
    {
      name: `convdw_${key(c)}`,
      batch: 1,
      m: c.filterHeight * c.filterWidth * c.inChannels,
      n: c.outChannels,
      k: c.batchSize * c.outHeight * c.outWidth,
      loadA: `let ch = m % ${c.inChannels}; let tap = m / ${c.inChannels}; let kw = tap % ${c.filterWidth}; let kh = tap / ${c.filterWidth};
      let ox = k % ${c.outWidth}; let t = k / ${c.outWidth}; let oy = t % ${c.outHeight}; let bb = t / ${c.outHeight};
      ${readInput(c, 'A', 'bb', 'ch')}`,
      loadB: `return B[k * ${c.outChannels} + n];`,
      aAlongM: c.inChannels >= 16,
      bAlongN: true,
      outputShape: [c.filterHeight, c.filterWidth, c.inChannels, c.outChannels],
    },
    x,
    dy,
  );
}

/** The pack's convolution configs, each falling back to its original outside its cases. */
export function convConfigs(originals: Record<string, KernelConfig>): KernelConfig[] {
  return [
    webgpuKernel(Conv2D, conv2D, originals[Conv2D]!),
    webgpuKernel(Conv2DBackpropInput, conv2DBackpropInput, originals[Conv2DBackpropInput]!),
    webgpuKernel(Conv2DBackpropFilter, conv2DBackpropFilter, originals[Conv2DBackpropFilter]!),
  ];
}
