import {
  backend_util,
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { callPrevious, runNative, type NativeKernelArgs } from './previous.js';

type Pair = number | [number, number];
interface ConvAttrs {
  strides: Pair;
  pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
  dilations?: Pair;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dataFormat?: string;
}

/**
 * The 17 integers the addon takes: n, h, w, c, oh, ow, k, kh, kw, sh, sw, dh, dw, top, left,
 * bottom, right; or undefined when oneDNN cannot express the geometry (the previous kernel runs).
 * Shapes and padding come from tfjs's own computeConv2DInfo, so results match the cpu backend.
 */
export function convGeometry(
  inShape: number[],
  filterShape: number[],
  attrs: ConvAttrs,
): number[] | undefined {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') return undefined;
  const info = backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
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
    outChannels: k,
  } = info;
  const {
    filterHeight: kh,
    filterWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
  } = info;
  if ([n, h, w, c, oh, ow, k, kh, kw].some((d) => !(d > 0))) return undefined;
  const { top, left } = info.padInfo;
  // oneDNN requires oh = floor((h + top + bottom − effective) / sh) + 1 exactly; tfjs's 'same' and
  // 'valid' satisfy it, explicit pads with dimRoundingMode 'ceil'/'round' may not: use the bottom
  // (right) pad that reproduces tfjs's output size when one exists.
  const bottom = fitPad(h, kh, dh, sh, oh, top, info.padInfo.bottom);
  const right = fitPad(w, kw, dw, sw, ow, left, info.padInfo.right);
  if (bottom === undefined || right === undefined || top < 0 || left < 0) return undefined;
  return [n, h, w, c, oh, ow, k, kh, kw, sh, sw, dh, dw, top, left, bottom, right];
}

function fitPad(
  size: number,
  k: number,
  d: number,
  s: number,
  out: number,
  before: number,
  after: number,
): number | undefined {
  const effective = (k - 1) * d + 1;
  const fits = (p: number): boolean =>
    p >= 0 && Math.floor((size + before + p - effective) / s) + 1 === out;
  if (fits(after)) return after;
  const exact = (out - 1) * s + effective - size - before;
  return fits(exact) ? exact : undefined;
}

function float32(...infos: TensorInfo[]): boolean {
  return infos.every((i) => i.dtype === 'float32');
}

/** Conv2D: y = conv(x, filter) through oneDNN's forward convolution. */
export function conv2D(addon: NativeAddon, args: NativeKernelArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
  const g =
    float32(x, filter) && x.shape.length === 4 && filter.shape.length === 4
      ? convGeometry(x.shape, filter.shape, attrs as unknown as ConvAttrs)
      : undefined;
  if (g === undefined) return callPrevious(Conv2D, args);
  const y = backend.makeOutput([g[0]!, g[4]!, g[5]!, g[6]!], 'float32');
  // Views only after every allocation: an allocation may grow (and detach) the wasm heap.
  return runNative(Conv2D, args, y, () =>
    addon.conv2d(0, view(backend, x), view(backend, filter), view(backend, y), g),
  );
}

/** Conv2DBackpropInput: dx from dy and the filter (oneDNN backward data). Honours `dilations`. */
export function conv2DBackpropInput(addon: NativeAddon, args: NativeKernelArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as ConvAttrs & { inputShape: number[] };
  const g =
    float32(dy, filter) && a.inputShape.length === 4 && filter.shape.length === 4
      ? convGeometry([...a.inputShape], filter.shape, a)
      : undefined;
  if (g === undefined) return callPrevious(Conv2DBackpropInput, args);
  const dx = backend.makeOutput([...a.inputShape], 'float32');
  return runNative(Conv2DBackpropInput, args, dx, () =>
    addon.conv2d(1, view(backend, dy), view(backend, filter), view(backend, dx), g),
  );
}

/** Conv2DBackpropFilter: dW from x and dy (oneDNN backward weights). Honours `dilations`. */
export function conv2DBackpropFilter(addon: NativeAddon, args: NativeKernelArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as ConvAttrs & { filterShape: number[] };
  const g =
    float32(x, dy) && x.shape.length === 4 && a.filterShape.length === 4
      ? convGeometry(x.shape, [...a.filterShape], a)
      : undefined;
  if (g === undefined) return callPrevious(Conv2DBackpropFilter, args);
  const dw = backend.makeOutput([...a.filterShape], 'float32');
  return runNative(Conv2DBackpropFilter, args, dw, () =>
    addon.conv2d(2, view(backend, x), view(backend, dy), view(backend, dw), g),
  );
}

function view(backend: NativeKernelArgs['backend'], info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}
