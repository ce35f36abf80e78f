import {
  AvgPoolGrad,
  backend_util,
  type AvgPoolGradAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { requireRank } from './conv-info.js';
import { requireFloat32, wasmKernel, type WasmKernelArgs } from './wasm-backend.js';

/**
 * dX[b, ih, iw, c] = Σ over the windows that cover (ih, iw) of dy[b, oh, ow, c] / (fh·fw), as the
 * cpu backend computes it (a constant divisor, also at padded borders). Scatter form with the
 * channel loop innermost (sequential on both sides); tfjs-wasm's own kernel takes ~5× longer.
 */
function avgPoolGrad({ inputs, backend, attrs }: WasmKernelArgs): TensorInfo {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as AvgPoolGradAttrs & {
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  requireRank(AvgPoolGrad, 'input', input, 4);
  requireRank(AvgPoolGrad, 'dy', dy, 4);
  requireFloat32(AvgPoolGrad, 'dy', dy);
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels: channels,
    outHeight,
    outWidth,
    filterHeight: fh,
    filterWidth: fw,
    strideHeight: sh,
    strideWidth: sw,
  } = info;
  const dx = backend.makeOutput([...input.shape], 'float32');
  const dyv = backend.typedArrayFromHeap(dy) as Float32Array;
  const dxv = backend.typedArrayFromHeap(dx) as Float32Array;
  dxv.fill(0);
  const scale = 1 / (fh * fw);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const src = ((b * outHeight + oh) * outWidth + ow) * channels;
        for (let i = 0; i < fh; i++) {
          const ih = oh * sh - info.padInfo.top + i;
          if (ih < 0 || ih >= inHeight) continue;
          for (let j = 0; j < fw; j++) {
            const iw = ow * sw - info.padInfo.left + j;
            if (iw < 0 || iw >= inWidth) continue;
            const dst = ((b * inHeight + ih) * inWidth + iw) * channels;
            for (let c = 0; c < channels; c++)
              dxv[dst + c] = (dxv[dst + c] as number) + (dyv[src + c] as number) * scale;
          }
        }
      }
    }
  }
  return dx;
}

/** AvgPoolGrad for the wasm backend, replacing its slower kernel. */
export const avgPoolGradConfig = wasmKernel(AvgPoolGrad, avgPoolGrad);
