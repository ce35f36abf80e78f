import {
  DepthwiseConv2dNativeBackpropFilter,
  DepthwiseConv2dNativeBackpropInput,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { convInfo, requireRank } from './conv-info.js';
import { requireFloat32, wasmKernel, type WasmKernelArgs } from './wasm-backend.js';

// Depthwise convolutions do little arithmetic per byte, so plain loops over the heap suffice.

/** dW[i, j, c, m] = Σ x[b, ih, iw, c] · dy[b, oh, ow, c·mult + m]. */
function depthwiseBackpropFilter({ inputs, backend, attrs }: WasmKernelArgs): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
  const name = DepthwiseConv2dNativeBackpropFilter;
  requireRank(name, 'x', x, 4);
  requireRank(name, 'dy', dy, 4);
  requireFloat32(name, 'x', x);
  requireFloat32(name, 'dy', dy);
  const info = convInfo(name, x.shape, a.filterShape, a, true);
  const out = backend.makeOutput([...a.filterShape], 'float32');
  const xv = backend.typedArrayFromHeap(x) as Float32Array;
  const dyv = backend.typedArrayFromHeap(dy) as Float32Array;
  const dwv = backend.typedArrayFromHeap(out) as Float32Array;
  dwv.fill(0);
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels: cin,
    outHeight,
    outWidth,
    outChannels: cout,
  } = info;
  const mult = cout / cin;
  const {
    filterHeight: kh,
    filterWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
  } = info;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const dyBase = ((b * outHeight + oh) * outWidth + ow) * cout;
        for (let i = 0; i < kh; i++) {
          const ih = oh * sh - info.padInfo.top + i * dh;
          if (ih < 0 || ih >= inHeight) continue;
          for (let j = 0; j < kw; j++) {
            const iw = ow * sw - info.padInfo.left + j * dw;
            if (iw < 0 || iw >= inWidth) continue;
            const xBase = ((b * inHeight + ih) * inWidth + iw) * cin;
            const wBase = (i * kw + j) * cout;
            for (let q = 0; q < cout; q++) {
              dwv[wBase + q] =
                (dwv[wBase + q] as number) +
                (xv[xBase + Math.floor(q / mult)] as number) * (dyv[dyBase + q] as number);
            }
          }
        }
      }
    }
  }
  return out;
}

/** dX[b, ih, iw, c] = Σ W[i, j, c, m] · dy[b, oh, ow, c·mult + m] over the taps that read (ih, iw). */
function depthwiseBackpropInput({ inputs, backend, attrs }: WasmKernelArgs): TensorInfo {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs;
  const name = DepthwiseConv2dNativeBackpropInput;
  requireRank(name, 'dy', dy, 4);
  requireRank(name, 'filter', filter, 4);
  requireFloat32(name, 'dy', dy);
  requireFloat32(name, 'filter', filter);
  const info = convInfo(name, [...a.inputShape], filter.shape, a, true);
  const out = backend.makeOutput([...a.inputShape], 'float32');
  const dyv = backend.typedArrayFromHeap(dy) as Float32Array;
  const wv = backend.typedArrayFromHeap(filter) as Float32Array;
  const dxv = backend.typedArrayFromHeap(out) as Float32Array;
  dxv.fill(0);
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels: cin,
    outHeight,
    outWidth,
    outChannels: cout,
  } = info;
  const mult = cout / cin;
  const {
    filterHeight: kh,
    filterWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
  } = info;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const dyBase = ((b * outHeight + oh) * outWidth + ow) * cout;
        for (let i = 0; i < kh; i++) {
          const ih = oh * sh - info.padInfo.top + i * dh;
          if (ih < 0 || ih >= inHeight) continue;
          for (let j = 0; j < kw; j++) {
            const iw = ow * sw - info.padInfo.left + j * dw;
            if (iw < 0 || iw >= inWidth) continue;
            const xBase = ((b * inHeight + ih) * inWidth + iw) * cin;
            const wBase = (i * kw + j) * cout;
            for (let q = 0; q < cout; q++) {
              const c = xBase + Math.floor(q / mult);
              dxv[c] = (dxv[c] as number) + (wv[wBase + q] as number) * (dyv[dyBase + q] as number);
            }
          }
        }
      }
    }
  }
  return out;
}

/** DepthwiseConv2dNativeBackpropFilter for the wasm backend (missing there). */
export const depthwiseBackpropFilterConfig = wasmKernel(
  DepthwiseConv2dNativeBackpropFilter,
  depthwiseBackpropFilter,
);
/** DepthwiseConv2dNativeBackpropInput for the wasm backend (missing there). */
export const depthwiseBackpropInputConfig = wasmKernel(
  DepthwiseConv2dNativeBackpropInput,
  depthwiseBackpropInput,
);
