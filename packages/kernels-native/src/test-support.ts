// Test helpers (not exported by the package): run one kernel on many cases on cpu and on wasm with
// the native pack, compare; direct sums for what the cpu backend cannot do (dilated gradients).
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registeredKernelClaim, selectBackend, type Rng } from '@clapjs/core';
import { expect } from 'vitest';
import { NATIVE_KERNELS, registerNativeKernels, type NativeKernelsStatus } from './index.js';
import { expectClose } from '@clapjs/config/expect-close';

export interface Input {
  shape: number[];
  values: Float32Array;
}
export interface Case {
  inputs: Record<string, Input>;
  attrs: Record<string, unknown>;
  label: string;
}

/**
 * Whether this machine should have the addon: oneDNN's headers are installed (CI installs
 * libdnnl-dev), so the build must have produced it. Elsewhere the native tests are skipped.
 */
export const NATIVE_EXPECTED = existsSync('/usr/include/oneapi/dnnl/dnnl.hpp');

/** Selects wasm and registers the native pack; fails with the pack's reason when it did not load. */
export async function useNative(): Promise<NativeKernelsStatus> {
  await selectBackend('wasm');
  const status = registerNativeKernels();
  expect(status.loaded, status.detail).toBe(true);
  for (const name of NATIVE_KERNELS)
    expect(registeredKernelClaim(name, 'wasm')?.pack, name).toBe('@clapjs/kernels-native');
  return status;
}

export async function runCases(
  backend: 'cpu' | 'native',
  kernel: string,
  cases: Case[],
): Promise<Float32Array[]> {
  if (backend === 'native') await useNative();
  else await selectBackend('cpu');
  return cases.map((c) =>
    tf.tidy(() => {
      const inputs: Record<string, tf.Tensor> = {};
      for (const [name, i] of Object.entries(c.inputs))
        inputs[name] = tf.tensor(i.values, i.shape, 'float32');
      const out = tf.engine().runKernel(kernel, inputs, c.attrs as tf.NamedAttrMap) as tf.Tensor;
      return Float32Array.from(out.dataSync());
    }),
  );
}

// The kernel packs share one tolerance check: max |got − ref| ≤ 1e-4 · max |ref|.
export { expectClose };

export async function compareWithCpu(kernel: string, cases: Case[]): Promise<void> {
  const ref = await runCases('cpu', kernel, cases);
  const got = await runCases('native', kernel, cases);
  cases.forEach((c, i) => expectClose(got[i]!, ref[i]!, `${kernel} ${c.label}`));
}

export function normal(rng: Rng, shape: number[]): Input {
  return { shape, values: rng.normalArray(shape.reduce((a, b) => a * b, 1)) };
}

/** tfjs's geometry for a case (shapes, padding), the same function the kernels use. */
export function convInfo(
  inShape: number[],
  filterShape: number[],
  attrs: Record<string, unknown>,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as number,
    (attrs.dilations ?? 1) as number,
    attrs.pad as 'same',
  );
}

/**
 * Direct sums over the convolution's definition: calls `tap(xIndex, wIndex, yIndex)` for every
 * product x·w that contributes to y (so one loop gives the forward pass and both gradients).
 */
export function forEachTap(
  info: tf.backend_util.Conv2DInfo,
  tap: (xi: number, wi: number, yi: number) => void,
): void {
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
  for (let b = 0; b < batchSize; b++)
    for (let y = 0; y < outHeight; y++)
      for (let z = 0; z < outWidth; z++)
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++) {
            const ih = y * sh - info.padInfo.top + i * dh;
            const iw = z * sw - info.padInfo.left + j * dw;
            if (ih < 0 || ih >= inHeight || iw < 0 || iw >= inWidth) continue;
            for (let ci = 0; ci < cin; ci++)
              for (let co = 0; co < cout; co++)
                tap(
                  ((b * inHeight + ih) * inWidth + iw) * cin + ci,
                  ((i * kw + j) * cin + ci) * cout + co,
                  ((b * outHeight + y) * outWidth + z) * cout + co,
                );
          }
}
