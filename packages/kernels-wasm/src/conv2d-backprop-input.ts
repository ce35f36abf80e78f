import {
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { chunkRows, columnBudget } from './column-budget.js';
import { convInfo, requireRank } from './conv-info.js';
import { conv2D, plainMatMul, transpose } from './originals.js';
import { requireFloat32, wasmKernel, withShape, type WasmKernelArgs } from './wasm-backend.js';

/**
 * dX = col2im(dy · Wᵀ): the column gradients [rows, kh·kw·cin] come from the wasm backend's plain
 * (XNNPACK) matMul against the materialised transpose of the [kh·kw·cin, cout] filter, then are
 * scatter-added into dX in JS. tfjs-wasm's own Conv2DBackpropInput is a scalar loop, ~10× slower
 * than the forward convolution; this one runs at matMul speed. Output positions are processed in
 * chunks (column gradients stay in cache). At stride 1 and dilation 1 it is instead a forward
 * convolution (XNNPACK), as fast as the layer's own forward pass.
 * Accepts a non-standard `dilations` attribute.
 */
function conv2DBackpropInput({ inputs, backend, attrs }: WasmKernelArgs): TensorInfo {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as Conv2DBackpropInputAttrs & {
    dilations?: number | [number, number];
  };
  requireRank(Conv2DBackpropInput, 'dy', dy, 4);
  requireRank(Conv2DBackpropInput, 'filter', filter, 4);
  requireFloat32(Conv2DBackpropInput, 'dy', dy);
  requireFloat32(Conv2DBackpropInput, 'filter', filter);
  const inputShape = [...a.inputShape];
  const info = convInfo(Conv2DBackpropInput, inputShape, filter.shape, a, false);
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels: cin,
    outHeight,
    outWidth,
    outChannels: cout,
  } = info;
  const {
    filterHeight: kh,
    filterWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
  } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const k = kh * kw * cin;
  if (sh === 1 && sw === 1 && dh === 1 && dw === 1) {
    return viaForwardConv(backend, dy, filter, [kh, kw, cin, cout], info.padInfo);
  }
  const rowsPerImage = outHeight * outWidth;
  const totalRows = batchSize * rowsPerImage;
  const perChunk = Math.max(
    1,
    Math.min(totalRows, chunkRows(), Math.floor(columnBudget() / Math.max(1, k))),
  );

  const dx = backend.makeOutput(inputShape, 'float32');
  (backend.typedArrayFromHeap(dx) as Float32Array).fill(0);
  const wT = transpose(backend, withShape(filter, [k, cout]), [1, 0]);
  const imageSize = inHeight * inWidth * cin;
  for (let r0 = 0; r0 < totalRows; r0 += perChunk) {
    const count = Math.min(perChunk, totalRows - r0);
    const dyChunk = backend.makeOutput([count, cout], 'float32');
    const dyv = backend.typedArrayFromHeap(dy) as Float32Array;
    (backend.typedArrayFromHeap(dyChunk) as Float32Array).set(
      dyv.subarray(r0 * cout, (r0 + count) * cout),
    );
    const cols = plainMatMul(
      backend,
      withShape(dyChunk, [1, count, cout]),
      withShape(wT, [1, cout, k]),
    );
    backend.disposeData(dyChunk.dataId);
    // Views only after every allocation: an allocation may grow (and detach) the heap.
    const cv = backend.typedArrayFromHeap(cols) as Float32Array;
    const xv = backend.typedArrayFromHeap(dx) as Float32Array;
    for (let r = r0; r < r0 + count; r++) {
      const b = Math.floor(r / rowsPerImage);
      const oh = Math.floor((r - b * rowsPerImage) / outWidth);
      const ow = r - b * rowsPerImage - oh * outWidth;
      const xImage = b * imageSize;
      const row = (r - r0) * k;
      for (let i = 0; i < kh; i++) {
        const ih = oh * sh - top + i * dh;
        if (ih < 0 || ih >= inHeight) continue;
        for (let j = 0; j < kw; j++) {
          const iw = ow * sw - left + j * dw;
          if (iw < 0 || iw >= inWidth) continue;
          const dst = xImage + (ih * inWidth + iw) * cin;
          const src = row + (i * kw + j) * cin;
          for (let c = 0; c < cin; c++)
            xv[dst + c] = (xv[dst + c] as number) + (cv[src + c] as number);
        }
      }
    }
    backend.disposeData(cols.dataId);
  }
  backend.disposeData(wT.dataId);
  return dx;
}

/**
 * Stride 1, dilation 1: dX is the forward convolution of dy with the filter rotated by 180° and
 * its channels swapped, padded by (k − 1 − pad) — XNNPACK's convolution, the fastest kernel here.
 */
function viaForwardConv(
  backend: WasmKernelArgs['backend'],
  dy: TensorInfo,
  filter: TensorInfo,
  shape: readonly [number, number, number, number],
  pad: { top: number; bottom: number; left: number; right: number },
): TensorInfo {
  const [kh, kw, cin, cout] = shape;
  const flipped = backend.makeOutput([kh, kw, cout, cin], 'float32');
  const wv = backend.typedArrayFromHeap(filter) as Float32Array;
  const fv = backend.typedArrayFromHeap(flipped) as Float32Array;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const src = (i * kw + j) * cin * cout;
      const dst = ((kh - 1 - i) * kw + (kw - 1 - j)) * cout * cin;
      for (let ci = 0; ci < cin; ci++) {
        for (let co = 0; co < cout; co++)
          fv[dst + co * cin + ci] = wv[src + ci * cout + co] as number;
      }
    }
  }
  const dx = conv2D(backend, dy, flipped, [
    [0, 0],
    [kh - 1 - pad.top, kh - 1 - pad.bottom],
    [kw - 1 - pad.left, kw - 1 - pad.right],
    [0, 0],
  ]);
  backend.disposeData(flipped.dataId);
  return dx;
}

/** Conv2DBackpropInput for the wasm backend, replacing its slow scalar kernel. */
export const conv2DBackpropInputConfig = wasmKernel(Conv2DBackpropInput, conv2DBackpropInput);
