import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@clapjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  registerWebgpuKernels,
  unregisterWebgpuKernels,
  webgpuKernelsRegistered,
} from './index.js';
import { expectClose, runCases, useBackend, type Case } from './test-support.js';

const rng = new Rng(7);
const input = (shape: number[]) => ({
  shape,
  values: Float32Array.from(rng.normalArray(shape.reduce((a, b) => a * b, 1))),
});

/** Runs the cases on cpu, then on webgpu with the pack, and compares. */
async function check(kernel: string, cases: Case[]): Promise<void> {
  await useBackend('cpu');
  const ref = await runCases(kernel, cases);
  await useBackend('webgpu');
  registerWebgpuKernels();
  const got = await runCases(kernel, cases);
  cases.forEach((c, i) => expectClose(got[i]!, ref[i]!, `${kernel} ${c.label}`));
}

// Each distinct shape compiles its own shader (sizes are WGSL constants), ~3 s apiece on
// SwiftShader, so the cases are few and each covers several things: sizes straddle the 64×64 tile
// and the 16-deep K step, every transpose pair, a batch, a broadcast batch, and a split K.
const matMulCases: Case[] = (
  [
    [false, false, 1, 1, 70, 130, 33],
    [true, true, 3, 3, 17, 65, 40],
    [true, false, 2, 1, 9, 11, 20],
    [false, true, 1, 1, 70, 30, 1100],
  ] as const
).map(([ta, tb, batchA, batchB, m, n, k]) => {
  const a = ta ? [k, m] : [m, k];
  const b = tb ? [n, k] : [k, n];
  return {
    label: `${batchA}×${JSON.stringify(a)}${ta ? 'ᵀ' : ''} · ${batchB}×${JSON.stringify(b)}${tb ? 'ᵀ' : ''}`,
    inputs: { a: input([batchA, ...a]), b: input([batchB, ...b]) },
    attrs: { transposeA: ta, transposeB: tb },
  };
});

interface ConvShape {
  x: number[];
  f: number[];
  strides: number;
  pad: 'same' | 'valid';
  dilations?: number;
}
const convShapes: ConvShape[] = [
  { x: [2, 9, 11, 17], f: [3, 3, 17, 70], strides: 1, pad: 'same' },
  { x: [1, 9, 9, 4], f: [3, 2, 4, 6], strides: 2, pad: 'valid' },
];
// K = 2·40·36 = 2880 and one output tile: the filter gradient is split along K.
const splitK: ConvShape = { x: [2, 40, 36, 2], f: [3, 3, 2, 8], strides: 1, pad: 'same' };
const outShape = (s: ConvShape): number[] => {
  const size = (n: number, f: number) =>
    s.pad === 'same' ? Math.ceil(n / s.strides) : Math.ceil((n - f + 1) / s.strides);
  return [s.x[0]!, size(s.x[1]!, s.f[0]!), size(s.x[2]!, s.f[1]!), s.f[3]!];
};
const convAttrs = (s: ConvShape) => ({
  strides: s.strides,
  pad: s.pad,
  dataFormat: 'NHWC',
  dilations: s.dilations ?? 1,
});

describe('@clapjs/kernels-webgpu against the cpu backend (≤ 1e-4·max|ref|)', () => {
  beforeAll(() => useBackend('webgpu'));
  afterAll(() => unregisterWebgpuKernels());

  it('registers idempotently and can be undone', async () => {
    await useBackend('webgpu');
    registerWebgpuKernels();
    registerWebgpuKernels();
    expect(webgpuKernelsRegistered()).toBe(true);
    unregisterWebgpuKernels();
    expect(webgpuKernelsRegistered()).toBe(false);
    expect(registerWebgpuKernels({ kernels: ['Conv2DBackpropFilter'] })).toEqual([
      'Conv2DBackpropFilter',
    ]);
    expect(webgpuKernelsRegistered()).toBe(false);
    expect(() => registerWebgpuKernels({ kernels: ['Conv3D'] })).toThrow(/Conv3D.*choose from/);
  });

  it('BatchMatMul: plain and transposed operands, batches, broadcasting, split K', async () => {
    await check('BatchMatMul', matMulCases);
  });

  it('Conv2D (implicit GEMM): strides, padding, dilation', async () => {
    const cases = [{ ...convShapes[0]!, dilations: 2 }, convShapes[1]!];
    await check(
      'Conv2D',
      cases.map((s) => ({
        label: JSON.stringify(s),
        inputs: { x: input(s.x), filter: input(s.f) },
        attrs: convAttrs(s),
      })),
    );
  });

  it('Conv2DBackpropInput (implicit GEMM, strided taps skipped exactly)', async () => {
    await check(
      'Conv2DBackpropInput',
      convShapes.map((s) => ({
        label: JSON.stringify(s),
        inputs: { dy: input(outShape(s)), filter: input(s.f) },
        attrs: { ...convAttrs(s), inputShape: s.x },
      })),
    );
  });

  it('Conv2DBackpropFilter (implicit GEMM, split K)', async () => {
    await check(
      'Conv2DBackpropFilter',
      [...convShapes, splitK].map((s) => ({
        label: JSON.stringify(s),
        inputs: { x: input(s.x), dy: input(outShape(s)) },
        attrs: { ...convAttrs(s), filterShape: s.f },
      })),
    );
  });

  it('leaves int32 matMul to the backend', async () => {
    await useBackend('webgpu');
    registerWebgpuKernels();
    const product = tf.matMul(
      tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'),
      tf.tensor2d([5, 6, 7, 8], [2, 2], 'int32'),
    );
    expect(product.dtype).toBe('int32');
    expect(Array.from(await product.data())).toEqual([19, 22, 43, 50]);
    product.dispose();
  });
});
