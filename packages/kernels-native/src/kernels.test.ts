import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import {
  compareWithCpu,
  convInfo,
  expectClose,
  forEachTap,
  NATIVE_EXPECTED,
  normal,
  runCases,
  type Case,
} from './test-support.js';

const CASES = 60;
const CIN = [1, 2, 3, 8, 16, 17, 32];
const COUT = [1, 4, 8, 16, 24, 33];

interface ConvCase {
  x: number[];
  filter: number[];
  y: number[];
  attrs: { strides: number[]; pad: unknown; dilations: number; dataFormat: string };
  label: string;
}

/** Random geometries: batch 1 every fourth case, stride 2, dilation 2, 'same'/'valid'/explicit pads. */
function convCases(rng: Rng, count: number): ConvCase[] {
  return Array.from({ length: count }, (_, i) => {
    const batch = i % 4 === 0 ? 1 : 1 + rng.int(3);
    const [kh, kw] = [1 + rng.int(3), 1 + rng.int(3)];
    const strides = [rng.next() < 0.5 ? 2 : 1, rng.next() < 0.5 ? 2 : 1];
    const dilations = rng.next() < 0.3 ? 2 : 1;
    const r = rng.next();
    const pad =
      r < 0.35
        ? 'same'
        : r < 0.7
          ? 'valid'
          : [
              [0, 0],
              [rng.int(3), rng.int(3)],
              [rng.int(3), rng.int(3)],
              [0, 0],
            ];
    const [h, w] = [(kh - 1) * dilations + 1 + rng.int(10), (kw - 1) * dilations + 1 + rng.int(10)];
    const [cin, cout] = [rng.pick(CIN), rng.pick(COUT)];
    const attrs = { strides, pad, dilations, dataFormat: 'NHWC' };
    const info = convInfo([batch, h, w, cin], [kh, kw, cin, cout], attrs);
    return {
      x: [batch, h, w, cin],
      filter: [kh, kw, cin, cout],
      y: [batch, info.outHeight, info.outWidth, cout],
      attrs,
      label: `x [${batch},${h},${w},${cin}] k ${kh}x${kw} s ${strides} d${dilations} pad ${JSON.stringify(pad)} cout ${cout}`,
    };
  });
}

function directSum(c: ConvCase, kind: 'dx' | 'dw', inputs: Case['inputs']): Float32Array {
  const info = convInfo(c.x, c.filter, c.attrs);
  const out = new Float32Array((kind === 'dx' ? c.x : c.filter).reduce((a, b) => a * b, 1));
  const dy = inputs.dy!.values;
  if (kind === 'dx') {
    const f = inputs.filter!.values;
    forEachTap(info, (xi, wi, yi) => (out[xi]! += f[wi]! * dy[yi]!));
  } else {
    const x = inputs.x!.values;
    forEachTap(info, (xi, wi, yi) => (out[wi]! += x[xi]! * dy[yi]!));
  }
  return out;
}

describe.skipIf(!NATIVE_EXPECTED)('native kernels against the cpu backend', () => {
  const rng = new Rng(31);
  const geometries = convCases(rng, CASES);

  it('cover stride 2, dilation 2, batch 1 and every kind of padding', () => {
    expect(geometries.filter((c) => c.x[0] === 1).length).toBeGreaterThanOrEqual(10);
    expect(geometries.filter((c) => c.attrs.dilations === 2).length).toBeGreaterThanOrEqual(10);
    expect(
      geometries.filter((c) => (c.attrs.strides as number[]).includes(2)).length,
    ).toBeGreaterThanOrEqual(20);
    for (const pad of ['same', 'valid', 'object'])
      expect(
        geometries.some((c) => (typeof c.attrs.pad === 'object' ? 'object' : c.attrs.pad) === pad),
      ).toBe(true);
  });

  it(`Conv2D matches over ${CASES} random shapes (dilation 2 included)`, async () => {
    const cases = geometries.map((c) => ({
      label: c.label,
      inputs: { x: normal(rng, c.x), filter: normal(rng, c.filter) },
      attrs: c.attrs,
    }));
    await compareWithCpu('Conv2D', cases);
  });

  it(`Conv2DBackpropInput matches over ${CASES} random shapes (cpu; direct sums where dilated)`, async () => {
    const cases = geometries.map((c) => ({
      label: c.label,
      inputs: { dy: normal(rng, c.y), filter: normal(rng, c.filter) },
      attrs: { ...c.attrs, inputShape: c.x },
    }));
    const plain = cases.filter((c) => c.attrs.dilations === 1);
    await compareWithCpu('Conv2DBackpropInput', plain);
    const dilated = geometries
      .map((g, i) => ({ g, c: cases[i]! }))
      .filter(({ c }) => c.attrs.dilations === 2);
    const got = await runCases(
      'native',
      'Conv2DBackpropInput',
      dilated.map(({ c }) => c),
    );
    dilated.forEach(({ g, c }, i) =>
      expectClose(got[i]!, directSum(g, 'dx', c.inputs), `dilated ${c.label}`),
    );
  });

  it(`Conv2DBackpropFilter matches over ${CASES} random shapes (cpu; direct sums where dilated)`, async () => {
    const cases = geometries.map((c) => ({
      label: c.label,
      inputs: { x: normal(rng, c.x), dy: normal(rng, c.y) },
      attrs: { ...c.attrs, filterShape: c.filter },
    }));
    await compareWithCpu(
      'Conv2DBackpropFilter',
      cases.filter((c) => c.attrs.dilations === 1),
    );
    const dilated = geometries
      .map((g, i) => ({ g, c: cases[i]! }))
      .filter(({ c }) => c.attrs.dilations === 2);
    const got = await runCases(
      'native',
      'Conv2DBackpropFilter',
      dilated.map(({ c }) => c),
    );
    dilated.forEach(({ g, c }, i) =>
      expectClose(got[i]!, directSum(g, 'dw', c.inputs), `dilated ${c.label}`),
    );
  });

  it(`BatchMatMul matches over ${CASES} random shapes, transposed and batch-broadcast`, async () => {
    const cases: Case[] = Array.from({ length: CASES }, (_, i) => {
      const [m, k, n] = [1 + rng.int(70), 1 + rng.int(70), 1 + rng.int(70)];
      const transposeA = i % 4 === 1 || i % 4 === 3;
      const transposeB = i % 4 >= 2;
      // No batch, equal batches, one side broadcast as [1, ...] or as a missing dimension.
      const batch = rng.int(4) === 0 ? [] : [1 + rng.int(4)];
      const r = rng.next();
      const aBatch = batch.length > 0 && r < 0.2 ? [1] : batch;
      const bBatch = batch.length > 0 && r >= 0.2 && r < 0.4 ? (r < 0.3 ? [1] : []) : batch;
      const aShape = [...aBatch, ...(transposeA ? [k, m] : [m, k])];
      const bShape = [...bBatch, ...(transposeB ? [n, k] : [k, n])];
      return {
        label: `a [${aShape}] tA ${transposeA} b [${bShape}] tB ${transposeB}`,
        inputs: { a: normal(rng, aShape), b: normal(rng, bShape) },
        attrs: { transposeA, transposeB },
      };
    });
    cases.push(
      {
        label: 'rank 4, both transposed',
        inputs: { a: normal(rng, [2, 3, 7, 5]), b: normal(rng, [2, 3, 6, 7]) },
        attrs: { transposeA: true, transposeB: true },
      },
      {
        label: 'rank 4 times rank 2',
        inputs: { a: normal(rng, [2, 3, 5, 7]), b: normal(rng, [7, 4]) },
        attrs: { transposeA: false, transposeB: false },
      },
    );
    expect(
      cases.filter((c) => c.inputs.a!.shape.length !== c.inputs.b!.shape.length).length,
    ).toBeGreaterThanOrEqual(3);
    await compareWithCpu('BatchMatMul', cases);
  });

  it(`AvgPool and AvgPoolGrad match over ${CASES} random shapes (stride 2, 'same' and 'valid', batch 1)`, async () => {
    const cases = Array.from({ length: CASES }, (_, i) => {
      const batch = i % 4 === 0 ? 1 : 1 + rng.int(3);
      const filterSize = [1 + rng.int(3), 1 + rng.int(3)];
      const strides = [1 + rng.int(2), 1 + rng.int(2)];
      const pad = rng.next() < 0.5 ? 'same' : 'valid';
      const x = [batch, filterSize[0]! + rng.int(9), filterSize[1]! + rng.int(9), rng.pick(CIN)];
      const info = tf.backend_util.computePool2DInfo(
        x as [number, number, number, number],
        filterSize as [number, number],
        strides as [number, number],
        1,
        pad,
      );
      return {
        x,
        dy: [batch, info.outHeight, info.outWidth, x[3]!],
        attrs: { filterSize, strides, pad },
        label: `x [${x}] f ${filterSize} s ${strides} ${pad}`,
      };
    });
    expect(
      cases.filter((c) => c.attrs.pad === 'same' && c.attrs.strides.includes(2)).length,
    ).toBeGreaterThan(5);
    await compareWithCpu(
      'AvgPool',
      cases.map((c) => ({ label: c.label, inputs: { x: normal(rng, c.x) }, attrs: c.attrs })),
    );
    await compareWithCpu(
      'AvgPoolGrad',
      cases.map((c) => ({
        label: c.label,
        inputs: { dy: normal(rng, c.dy), input: normal(rng, c.x) },
        attrs: c.attrs,
      })),
    );
  });
});
