import { Conv2DBackpropInput, type Conv2DBackpropInputAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import { columnBudget } from './column-budget.js';
import { convInfo, requireRank } from './conv-info.js';
import { plainMatMul, transpose } from './originals.js';
import { requireFloat32, wasmKernel, withShape, type WasmKernelArgs } from './wasm-backend.js';

/**
 * dX = col2im(dy · Wᵀ): the column gradients [rows, kh·kw·cin] come from the wasm backend's plain
 * (XNNPACK) matMul against the materialised transpose of the [kh·kw·cin, cout] filter, then are
 * scatter-added into dX in JS. tfjs-wasm's own Conv2DBackpropInput is a scalar loop, ~10× slower
 * than the forward convolution; this one runs at matMul speed. Batches are processed in chunks.
 * Accepts a non-standard `dilations` attribute.
 */
function conv2DBackpropInput({ inputs, backend, attrs }: WasmKernelArgs): TensorInfo {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as Conv2DBackpropInputAttrs & { dilations?: number | [number, number] };
  requireRank(Conv2DBackpropInput, 'dy', dy, 4);
  requireRank(Conv2DBackpropInput, 'filter', filter, 4);
  requireFloat32(Conv2DBackpropInput, 'dy', dy);
  requireFloat32(Conv2DBackpropInput, 'filter', filter);
  const inputShape = [...a.inputShape];
  const info = convInfo(Conv2DBackpropInput, inputShape, filter.shape, a, false);
  const { batchSize, inHeight, inWidth, inChannels: cin, outHeight, outWidth, outChannels: cout } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const k = kh * kw * cin;
  const rowsPerImage = outHeight * outWidth;
  const imagesPerChunk = Math.max(1, Math.min(batchSize, Math.floor(columnBudget() / Math.max(1, rowsPerImage * k))));

  const dx = backend.makeOutput(inputShape, 'float32');
  (backend.typedArrayFromHeap(dx) as Float32Array).fill(0);
  const wT = transpose(backend, withShape(filter, [k, cout]), [1, 0]);
  const imageSize = inHeight * inWidth * cin;
  for (let b0 = 0; b0 < batchSize; b0 += imagesPerChunk) {
    const images = Math.min(imagesPerChunk, batchSize - b0);
    const rows = images * rowsPerImage;
    const whole = images === batchSize;
    let dyChunk = dy;
    if (!whole) {
      dyChunk = backend.makeOutput([rows, cout], 'float32');
      const start = b0 * rowsPerImage * cout;
      const dyv = backend.typedArrayFromHeap(dy) as Float32Array;
      (backend.typedArrayFromHeap(dyChunk) as Float32Array).set(dyv.subarray(start, start + rows * cout));
    }
    const cols = plainMatMul(backend, withShape(dyChunk, [1, rows, cout]), withShape(wT, [1, cout, k]));
    if (!whole) backend.disposeData(dyChunk.dataId);
    // Views only after every allocation: an allocation may grow (and detach) the heap.
    const cv = backend.typedArrayFromHeap(cols) as Float32Array;
    const xv = backend.typedArrayFromHeap(dx) as Float32Array;
    for (let n = 0; n < images; n++) {
      const xImage = (b0 + n) * imageSize;
      for (let oh = 0; oh < outHeight; oh++) {
        for (let ow = 0; ow < outWidth; ow++) {
          const row = ((n * outHeight + oh) * outWidth + ow) * k;
          for (let i = 0; i < kh; i++) {
            const ih = oh * sh - top + i * dh;
            if (ih < 0 || ih >= inHeight) continue;
            for (let j = 0; j < kw; j++) {
              const iw = ow * sw - left + j * dw;
              if (iw < 0 || iw >= inWidth) continue;
              const dst = xImage + (ih * inWidth + iw) * cin;
              const src = row + (i * kw + j) * cin;
              for (let c = 0; c < cin; c++) xv[dst + c] = (xv[dst + c] as number) + (cv[src + c] as number);
            }
          }
        }
      }
    }
    backend.disposeData(cols.dataId);
  }
  backend.disposeData(wT.dataId);
  return dx;
}

/** Conv2DBackpropInput for the wasm backend, replacing its slow scalar kernel. */
export const conv2DBackpropInputConfig = wasmKernel(Conv2DBackpropInput, conv2DBackpropInput);
