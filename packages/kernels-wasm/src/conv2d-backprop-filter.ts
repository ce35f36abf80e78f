import { Conv2DBackpropFilter, type Conv2DBackpropFilterAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import { columnBudget } from './column-budget.js';
import { convInfo, requireRank } from './conv-info.js';
import { plainMatMul } from './originals.js';
import { requireFloat32, wasmKernel, withShape, type WasmKernelArgs } from './wasm-backend.js';

/**
 * dW = colsᵀ · dy, where colsᵀ [kh·kw·cin, rows] is the transposed im2col matrix of x built on
 * the heap in JS and the product is the wasm backend's plain (XNNPACK) matMul. Building colsᵀ
 * directly means no transposed matMul and no transpose kernel. Batches are processed in chunks.
 * Accepts a non-standard `dilations` attribute (tfjs' conv2d gradient itself refuses dilation > 1).
 */
function conv2DBackpropFilter({ inputs, backend, attrs }: WasmKernelArgs): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as Conv2DBackpropFilterAttrs & { dilations?: number | [number, number] };
  requireRank(Conv2DBackpropFilter, 'x', x, 4);
  requireRank(Conv2DBackpropFilter, 'dy', dy, 4);
  requireFloat32(Conv2DBackpropFilter, 'x', x);
  requireFloat32(Conv2DBackpropFilter, 'dy', dy);
  const info = convInfo(Conv2DBackpropFilter, x.shape, a.filterShape, a, false);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const k = kh * kw * inChannels;
  const rowsPerImage = outHeight * outWidth;
  const imagesPerChunk = Math.max(1, Math.min(batchSize, Math.floor(columnBudget() / Math.max(1, rowsPerImage * k))));

  let acc: TensorInfo | undefined;
  for (let b0 = 0; b0 < batchSize; b0 += imagesPerChunk) {
    const images = Math.min(imagesPerChunk, batchSize - b0);
    const rows = images * rowsPerImage;
    const cols = backend.makeOutput([k, rows], 'float32');
    const whole = images === batchSize;
    const dyChunk = whole ? dy : backend.makeOutput([rows, outChannels], 'float32');
    // Views only after every allocation: an allocation may grow (and detach) the heap.
    const xv = backend.typedArrayFromHeap(x) as Float32Array;
    const cv = backend.typedArrayFromHeap(cols) as Float32Array;
    if (!whole) {
      const dyv = backend.typedArrayFromHeap(dy) as Float32Array;
      const start = b0 * rowsPerImage * outChannels;
      (backend.typedArrayFromHeap(dyChunk) as Float32Array).set(dyv.subarray(start, start + rows * outChannels));
    }
    fillColumnsT(cv, xv, b0, images, rows, { inHeight, inWidth, inChannels, outHeight, outWidth, kh, kw, sh, sw, dh, dw, top, left });
    const product = plainMatMul(backend, withShape(cols, [1, k, rows]), withShape(dyChunk, [1, rows, outChannels]));
    backend.disposeData(cols.dataId);
    if (!whole) backend.disposeData(dyChunk.dataId);
    if (acc === undefined) {
      acc = product;
    } else {
      const av = backend.typedArrayFromHeap(acc) as Float32Array;
      const pv = backend.typedArrayFromHeap(product) as Float32Array;
      for (let i = 0; i < av.length; i++) av[i] = (av[i] as number) + (pv[i] as number);
      backend.disposeData(product.dataId);
    }
  }
  if (acc === undefined) {
    // An empty batch: the gradient is zero.
    acc = backend.makeOutput([...a.filterShape], 'float32');
    (backend.typedArrayFromHeap(acc) as Float32Array).fill(0);
  }
  acc.shape = [...a.filterShape];
  return acc;
}

interface Geometry {
  inHeight: number; inWidth: number; inChannels: number; outHeight: number; outWidth: number;
  kh: number; kw: number; sh: number; sw: number; dh: number; dw: number; top: number; left: number;
}

/**
 * colsᵀ[(i·kw + j)·cin + c, row] = x[b, oh·sh − top + i·dh, ow·sw − left + j·dw, c] (0 outside).
 * The innermost loop runs along a row of outputs (ow), so writes are sequential and the reads stay
 * within one input row (inWidth·cin floats, cache-resident) for every channel c.
 */
function fillColumnsT(cv: Float32Array, xv: Float32Array, b0: number, images: number, rows: number, g: Geometry): void {
  const { inHeight, inWidth, inChannels: cin, outHeight, outWidth, kh, kw, sh, sw, dh, dw, top, left } = g;
  const imageSize = inHeight * inWidth * cin;
  for (let j = 0; j < kw; j++) {
    // Outputs ow in [owLo, owHi) read inside the input row; the others read padding (zero).
    const offset = j * dw - left;
    const owLo = Math.min(outWidth, Math.max(0, Math.ceil(-offset / sw)));
    const owHi = Math.max(owLo, Math.min(outWidth, Math.floor((inWidth - 1 - offset) / sw) + 1));
    for (let i = 0; i < kh; i++) {
      const base = (i * kw + j) * cin * rows;
      for (let n = 0; n < images; n++) {
        const xImage = (b0 + n) * imageSize;
        for (let oh = 0; oh < outHeight; oh++) {
          const ih = oh * sh - top + i * dh;
          const rowStart = (n * outHeight + oh) * outWidth;
          for (let c = 0; c < cin; c++) {
            const dst = base + c * rows + rowStart;
            if (ih < 0 || ih >= inHeight) {
              cv.fill(0, dst, dst + outWidth);
              continue;
            }
            if (owLo > 0) cv.fill(0, dst, dst + owLo);
            if (owHi < outWidth) cv.fill(0, dst + owHi, dst + outWidth);
            let src = xImage + ih * inWidth * cin + (owLo * sw + offset) * cin + c;
            const step = sw * cin;
            for (let ow = owLo; ow < owHi; ow++, src += step) cv[dst + ow] = xv[src] as number;
          }
        }
      }
    }
  }
}

/** Conv2DBackpropFilter for the wasm backend (missing there: without it tf.conv2d cannot train). */
export const conv2DBackpropFilterConfig = wasmKernel(Conv2DBackpropFilter, conv2DBackpropFilter);
