import {
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { chunkRows, columnBudget } from './column-budget.js';
import { convInfo, requireRank } from './conv-info.js';
import { plainMatMul } from './originals.js';
import { requireFloat32, wasmKernel, withShape, type WasmKernelArgs } from './wasm-backend.js';

/** The geometry the im2col fill needs. */
export interface Geometry {
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  top: number;
  left: number;
}

/**
 * dW = Σ over chunks of output positions of colsᵀ · dy, where colsᵀ [kh·kw·cin, rows] is the
 * transposed im2col matrix of the chunk, built on the heap in JS, and the product is the wasm
 * backend's plain (XNNPACK) matMul: no transposed matMul, no transpose kernel. Accepts a
 * non-standard `dilations` attribute (tfjs' conv2d gradient itself refuses dilation > 1).
 */
function conv2DBackpropFilter({ inputs, backend, attrs }: WasmKernelArgs): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as Conv2DBackpropFilterAttrs & {
    dilations?: number | [number, number];
  };
  requireRank(Conv2DBackpropFilter, 'x', x, 4);
  requireRank(Conv2DBackpropFilter, 'dy', dy, 4);
  requireFloat32(Conv2DBackpropFilter, 'x', x);
  requireFloat32(Conv2DBackpropFilter, 'dy', dy);
  const info = convInfo(Conv2DBackpropFilter, x.shape, a.filterShape, a, false);
  const g: Geometry = {
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    kh: info.filterHeight,
    kw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    dh: info.dilationHeight,
    dw: info.dilationWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
  const cout = info.outChannels;
  const k = g.kh * g.kw * g.inChannels;
  const totalRows = info.batchSize * g.outHeight * g.outWidth;
  const perChunk = Math.max(
    1,
    Math.min(totalRows, chunkRows(), Math.floor(columnBudget() / Math.max(1, k))),
  );

  const sum = new Float32Array(k * cout);
  for (let r0 = 0; r0 < totalRows; r0 += perChunk) {
    const count = Math.min(perChunk, totalRows - r0);
    const cols = backend.makeOutput([k, count], 'float32');
    const dyChunk = backend.makeOutput([count, cout], 'float32');
    // Views only after every allocation: an allocation may grow (and detach) the heap.
    const dyv = backend.typedArrayFromHeap(dy) as Float32Array;
    (backend.typedArrayFromHeap(dyChunk) as Float32Array).set(
      dyv.subarray(r0 * cout, (r0 + count) * cout),
    );
    fillColumnsT(
      backend.typedArrayFromHeap(cols) as Float32Array,
      backend.typedArrayFromHeap(x) as Float32Array,
      r0,
      count,
      g,
    );
    const product = plainMatMul(
      backend,
      withShape(cols, [1, k, count]),
      withShape(dyChunk, [1, count, cout]),
    );
    backend.disposeData(cols.dataId);
    backend.disposeData(dyChunk.dataId);
    const pv = backend.typedArrayFromHeap(product) as Float32Array;
    for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + (pv[i] as number);
    backend.disposeData(product.dataId);
  }
  const out = backend.makeOutput([...a.filterShape], 'float32');
  (backend.typedArrayFromHeap(out) as Float32Array).set(sum);
  return out;
}

/**
 * colsᵀ[(i·kw + j)·cin + c, r − r0] = x[b, oh·sh − top + i·dh, ow·sw − left + j·dw, c] (0 outside)
 * for the output positions r = (b·outH + oh)·outW + ow in [r0, r0 + count). The innermost loop runs
 * along a row of outputs (ow), so writes are sequential and reads stay within one input row.
 */
function fillColumnsT(
  cv: Float32Array,
  xv: Float32Array,
  r0: number,
  count: number,
  g: Geometry,
): void {
  const {
    inHeight,
    inWidth,
    inChannels: cin,
    outHeight,
    outWidth,
    kh,
    kw,
    sh,
    sw,
    dh,
    dw,
    top,
    left,
  } = g;
  const rowsPerImage = outHeight * outWidth;
  const imageSize = inHeight * inWidth * cin;
  const end = r0 + count;
  for (let j = 0; j < kw; j++) {
    // Outputs ow in [owLo, owHi) read inside the input row; the others read padding (zero).
    const offset = j * dw - left;
    const owLo = Math.min(outWidth, Math.max(0, Math.ceil(-offset / sw)));
    const owHi = Math.max(owLo, Math.min(outWidth, Math.floor((inWidth - 1 - offset) / sw) + 1));
    for (let i = 0; i < kh; i++) {
      const base = (i * kw + j) * cin * count;
      // Walk the chunk in runs of one output row (fixed b, oh): ow0 ≤ ow < ow1.
      for (let r = r0; r < end;) {
        const b = Math.floor(r / rowsPerImage);
        const oh = Math.floor((r - b * rowsPerImage) / outWidth);
        const ow0 = r - b * rowsPerImage - oh * outWidth;
        const ow1 = Math.min(outWidth, ow0 + end - r);
        const ih = oh * sh - top + i * dh;
        const lo = Math.max(ow0, Math.min(owLo, ow1));
        const hi = Math.max(lo, Math.min(owHi, ow1));
        const xRow = b * imageSize + ih * inWidth * cin;
        const step = sw * cin;
        for (let c = 0; c < cin; c++) {
          // dst + ow is the column of output (b, oh, ow) in this chunk.
          const dst = base + c * count + (r - r0) - ow0;
          if (ih < 0 || ih >= inHeight) {
            cv.fill(0, dst + ow0, dst + ow1);
            continue;
          }
          if (lo > ow0) cv.fill(0, dst + ow0, dst + lo);
          if (hi < ow1) cv.fill(0, dst + hi, dst + ow1);
          let src = xRow + (lo * sw + offset) * cin + c;
          for (let ow = lo; ow < hi; ow++, src += step) cv[dst + ow] = xv[src] as number;
        }
        r += ow1 - ow0;
      }
    }
  }
}

/** Conv2DBackpropFilter for the wasm backend (missing there: without it tf.conv2d cannot train). */
export const conv2DBackpropFilterConfig = wasmKernel(Conv2DBackpropFilter, conv2DBackpropFilter);
