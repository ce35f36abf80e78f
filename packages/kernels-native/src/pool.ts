import { AvgPool, AvgPoolGrad, backend_util, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { callPrevious, runNative, type NativeKernelArgs } from './previous.js';

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The addon's 17-integer geometry for a pooling (k = c, dilation 1), or undefined if unsupported. */
function poolGeometry(inShape: number[], attrs: PoolAttrs): number[] | undefined {
  if (inShape.length !== 4) return undefined;
  const info = backend_util.computePool2DInfo(
    inShape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const {
    batchSize: n,
    inHeight: h,
    inWidth: w,
    inChannels: c,
    outHeight: oh,
    outWidth: ow,
  } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  if ([n, h, w, c, oh, ow, kh, kw].some((d) => !(d > 0))) return undefined;
  // oneDNN's size rule, as for convolutions; tfjs's 'same' and 'valid' satisfy it.
  const fits = (
    size: number,
    k: number,
    s: number,
    out: number,
    before: number,
    after: number,
  ): boolean =>
    before >= 0 && after >= 0 && Math.floor((size + before + after - k) / s) + 1 === out;
  if (
    !fits(h, kh, sh, oh, padInfo.top, padInfo.bottom) ||
    !fits(w, kw, sw, ow, padInfo.left, padInfo.right)
  )
    return undefined;
  return [
    n,
    h,
    w,
    c,
    oh,
    ow,
    c,
    kh,
    kw,
    sh,
    sw,
    1,
    1,
    padInfo.top,
    padInfo.left,
    padInfo.bottom,
    padInfo.right,
  ];
}

/** AvgPool: the mean of each window's in-bounds elements (as tfjs's cpu backend). */
export function avgPool(addon: NativeAddon, args: NativeKernelArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs as { x: TensorInfo };
  const g =
    x.dtype === 'float32' ? poolGeometry(x.shape, attrs as unknown as PoolAttrs) : undefined;
  if (g === undefined) return callPrevious(AvgPool, args);
  const y = backend.makeOutput([g[0]!, g[4]!, g[5]!, g[3]!], 'float32');
  const view = (info: TensorInfo): Float32Array => backend.typedArrayFromHeap(info) as Float32Array;
  return runNative(AvgPool, args, y, () => addon.avgPool(0, view(x), view(y), g));
}

/** AvgPoolGrad: dy spread over each window divided by the window size (as tfjs's cpu backend). */
export function avgPoolGrad(addon: NativeAddon, args: NativeKernelArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const g =
    dy.dtype === 'float32' ? poolGeometry(input.shape, attrs as unknown as PoolAttrs) : undefined;
  if (g === undefined) return callPrevious(AvgPoolGrad, args);
  const dx = backend.makeOutput([...input.shape], 'float32');
  const view = (info: TensorInfo): Float32Array => backend.typedArrayFromHeap(info) as Float32Array;
  return runNative(AvgPoolGrad, args, dx, () => addon.avgPool(1, view(dy), view(dx), g));
}
