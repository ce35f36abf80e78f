import * as tf from '@tensorflow/tfjs-core';
import { Rng, selectBackend } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { setChunkRows } from './column-budget.js';
import {
  compareWithCpu,
  useWasmWithPack,
  expectClose,
  normal,
  outSize,
  runCases,
  type Case,
  type Input,
} from './test-support.js';

const CASES = 60;

function convCase(rng: Rng, depthwise: boolean, i: number): Case & { geometry: number[] } {
  // Every fourth case has batch 1; stride 2 and dilation 2 each appear often.
  const batch = i % 4 === 0 ? 1 : 1 + rng.int(3);
  const k = 1 + rng.int(3);
  const stride = rng.next() < 0.5 ? 2 : 1;
  const dilation = rng.next() < 0.4 ? 2 : 1;
  const pad = rng.next() < 0.5 ? 'same' : 'valid';
  const effective = (k - 1) * dilation + 1;
  const h = effective + rng.int(8);
  const w = effective + rng.int(8);
  const cin = 1 + rng.int(depthwise ? 5 : 12);
  const cout = depthwise ? cin * (1 + rng.int(3)) : 1 + rng.int(6);
  const filterShape = depthwise ? [k, k, cin, cout / cin] : [k, k, cin, cout];
  const dyShape = [
    batch,
    outSize(h, k, stride, dilation, pad),
    outSize(w, k, stride, dilation, pad),
    cout,
  ];
  return {
    label: `x [${batch},${h},${w},${cin}] k${k} s${stride} d${dilation} ${pad} cout ${cout}`,
    inputs: { x: normal(rng, [batch, h, w, cin]), dy: normal(rng, dyShape) },
    attrs: { strides: stride, pad, dilations: dilation, filterShape, dataFormat: 'NHWC' },
    geometry: [batch, h, w, cin, cout, k, stride, dilation],
  };
}

interface Geometry {
  batch: number;
  h: number;
  w: number;
  cin: number;
  oh: number;
  ow: number;
  cout: number;
  k: number;
  s: number;
  d: number;
  top: number;
  left: number;
}

function geometry(c: Case): Geometry {
  const [batch, h, w, cin] = (c.attrs.inputShape ?? c.inputs.x!.shape) as [
    number,
    number,
    number,
    number,
  ];
  const [, oh, ow, cout] = c.inputs.dy!.shape as [number, number, number, number];
  const k = (c.attrs.filterShape as number[] | undefined)?.[0] ?? c.inputs.filter!.shape[0]!;
  const s = c.attrs.strides as number;
  const d = c.attrs.dilations as number;
  const effective = (k - 1) * d + 1;
  const same = c.attrs.pad === 'same';
  const top = same ? Math.floor(Math.max(0, (oh - 1) * s + effective - h) / 2) : 0;
  const left = same ? Math.floor(Math.max(0, (ow - 1) * s + effective - w) / 2) : 0;
  return { batch, h, w, cin, oh, ow, cout, k, s, d, top, left };
}

/**
 * Direct sums over the definitions, for dilation 2: tfjs's cpu Conv2DBackpropFilter and
 * depthwise backprop kernels ignore dilations (tfjs's gradients refuse dilation > 1).
 * `visit(b, y, z, i, j, ih, iw)` is called for every tap that reads inside the input.
 */
function forEachTap(
  g: Geometry,
  visit: (b: number, y: number, z: number, i: number, j: number, ih: number, iw: number) => void,
): void {
  for (let b = 0; b < g.batch; b++)
    for (let y = 0; y < g.oh; y++)
      for (let z = 0; z < g.ow; z++)
        for (let i = 0; i < g.k; i++)
          for (let j = 0; j < g.k; j++) {
            const ih = y * g.s - g.top + i * g.d;
            const iw = z * g.s - g.left + j * g.d;
            if (ih >= 0 && ih < g.h && iw >= 0 && iw < g.w) visit(b, y, z, i, j, ih, iw);
          }
}

function naiveFilterGrad(c: Case, depthwise: boolean): Float32Array {
  const g = geometry(c);
  const x = c.inputs.x!.values;
  const dy = c.inputs.dy!.values;
  const out = new Float32Array(g.k * g.k * (depthwise ? g.cout : g.cin * g.cout));
  const mult = g.cout / g.cin;
  forEachTap(g, (b, y, z, i, j, ih, iw) => {
    const xBase = ((b * g.h + ih) * g.w + iw) * g.cin;
    const dyBase = ((b * g.oh + y) * g.ow + z) * g.cout;
    for (let co = 0; co < g.cout; co++) {
      if (depthwise)
        out[(i * g.k + j) * g.cout + co]! += x[xBase + Math.floor(co / mult)]! * dy[dyBase + co]!;
      else
        for (let ci = 0; ci < g.cin; ci++)
          out[((i * g.k + j) * g.cin + ci) * g.cout + co]! += x[xBase + ci]! * dy[dyBase + co]!;
    }
  });
  return out;
}

function naiveConvInputGrad(c: Case): Float32Array {
  const g = geometry(c);
  const f = c.inputs.filter!.values;
  const dy = c.inputs.dy!.values;
  const out = new Float32Array(g.batch * g.h * g.w * g.cin);
  forEachTap(g, (b, y, z, i, j, ih, iw) => {
    for (let ci = 0; ci < g.cin; ci++)
      for (let co = 0; co < g.cout; co++)
        out[((b * g.h + ih) * g.w + iw) * g.cin + ci]! +=
          f[((i * g.k + j) * g.cin + ci) * g.cout + co]! *
          dy[((b * g.oh + y) * g.ow + z) * g.cout + co]!;
  });
  return out;
}

function naiveDepthwiseInputGrad(c: Case): Float32Array {
  const g = geometry(c);
  const f = c.inputs.filter!.values;
  const dy = c.inputs.dy!.values;
  const out = new Float32Array(g.batch * g.h * g.w * g.cin);
  const mult = g.cout / g.cin;
  forEachTap(g, (b, y, z, i, j, ih, iw) => {
    for (let co = 0; co < g.cout; co++) {
      out[((b * g.h + ih) * g.w + iw) * g.cin + Math.floor(co / mult)]! +=
        f[(i * g.k + j) * g.cout + co]! * dy[((b * g.oh + y) * g.ow + z) * g.cout + co]!;
    }
  });
  return out;
}

describe('Conv2DBackpropFilter', () => {
  it(`matches the cpu backend over ${CASES} random shapes (stride 1 and 2, batch 1)`, async () => {
    const rng = new Rng(7);
    const cases: Case[] = Array.from({ length: CASES }, (_, i) => convCase(rng, false, i)).map(
      (c) => ({
        ...c,
        attrs: { ...c.attrs, dilations: 1 },
        inputs: {
          ...c.inputs,
          dy: normal(rng, [...c.inputs.dy!.shape.slice(0, 1), ...dilation1Out(c), c.geometry[4]!]),
        },
      }),
    );
    expect(cases.some((c) => c.inputs.x!.shape[0] === 1 && c.attrs.strides === 2)).toBe(true);
    await compareWithCpu('Conv2DBackpropFilter', cases);
  });

  it('matches a direct sum with dilation 2 (and stride 2, batch 1)', async () => {
    const rng = new Rng(8);
    const cases = Array.from({ length: CASES }, (_, i) => convCase(rng, false, i));
    const got = await runCases('wasm', 'Conv2DBackpropFilter', cases);
    expect(cases.filter((c) => c.attrs.dilations === 2).length).toBeGreaterThan(10);
    cases.forEach((c, i) => expectClose(got[i]!, naiveFilterGrad(c, false), c.label));
  });

  it('splits a batch into chunks and still matches the cpu backend', async () => {
    const rng = new Rng(9);
    const old = setChunkRows(37);
    try {
      await compareWithCpu('Conv2DBackpropFilter', [
        {
          label: 'x [5,16,16,3] k3 s2 same, chunks of 37 positions',
          inputs: { x: normal(rng, [5, 16, 16, 3]), dy: normal(rng, [5, 8, 8, 4]) },
          attrs: { strides: 2, pad: 'same', filterShape: [3, 3, 3, 4], dataFormat: 'NHWC' },
        },
        {
          label: 'x [5,8,8,9] k3 s1 same, chunks of 37 positions',
          inputs: { x: normal(rng, [5, 8, 8, 9]), dy: normal(rng, [5, 8, 8, 4]) },
          attrs: { strides: 1, pad: 'same', filterShape: [3, 3, 9, 4], dataFormat: 'NHWC' },
        },
      ]);
    } finally {
      setChunkRows(old);
    }
  });
});

describe('Conv2DBackpropInput', () => {
  const rng = new Rng(10);
  const asInputCase = (c: Case): Case => ({
    label: c.label,
    inputs: { dy: c.inputs.dy!, filter: normal(rng, c.attrs.filterShape as number[]) },
    attrs: { ...c.attrs, inputShape: c.inputs.x!.shape },
  });
  const cases = Array.from({ length: CASES }, (_, i) => asInputCase(convCase(rng, false, i)));

  it(`matches the cpu backend over ${CASES} random shapes with dilation 1 (stride 2, batch 1)`, async () => {
    const undilated = cases.filter((c) => c.attrs.dilations === 1);
    expect(undilated.length).toBeGreaterThanOrEqual(30);
    await compareWithCpu('Conv2DBackpropInput', undilated);
  });

  it('matches a direct sum over all shapes, dilation 2 included', async () => {
    const got = await runCases('wasm', 'Conv2DBackpropInput', cases);
    cases.forEach((c, i) => expectClose(got[i]!, naiveConvInputGrad(c), c.label));
  });

  it('splits a batch into chunks and still matches the cpu backend', async () => {
    const old = setChunkRows(37);
    try {
      await compareWithCpu('Conv2DBackpropInput', [
        {
          label: 'dx [5,16,16,3] k3 s2 same, chunks of 37 positions',
          inputs: { dy: normal(rng, [5, 8, 8, 4]), filter: normal(rng, [3, 3, 3, 4]) },
          attrs: { strides: 2, pad: 'same', inputShape: [5, 16, 16, 3], dataFormat: 'NHWC' },
        },
      ]);
    } finally {
      setChunkRows(old);
    }
  });
});

function dilation1Out(c: Case & { geometry: number[] }): number[] {
  const [, h, w, , , k, stride] = c.geometry as number[];
  const pad = c.attrs.pad as 'same' | 'valid';
  return [outSize(h!, k!, stride!, 1, pad), outSize(w!, k!, stride!, 1, pad)];
}

describe('DepthwiseConv2dNativeBackpropFilter/Input', () => {
  const rng = new Rng(11);
  const cases = Array.from({ length: CASES }, (_, i) => convCase(rng, true, i));
  const inputCases = cases.map((c) => ({
    label: c.label,
    inputs: { dy: c.inputs.dy!, filter: normal(rng, c.attrs.filterShape as number[]) },
    attrs: { ...c.attrs, inputShape: c.inputs.x!.shape },
  }));
  const dilated = (c: Case): boolean => c.attrs.dilations === 2;

  it(`match the cpu backend over ${CASES} random shapes with dilation 1 (stride 2, batch 1)`, async () => {
    expect(cases.filter((c) => !dilated(c)).length).toBeGreaterThanOrEqual(30);
    await compareWithCpu(
      'DepthwiseConv2dNativeBackpropFilter',
      cases.filter((c) => !dilated(c)),
    );
    await compareWithCpu(
      'DepthwiseConv2dNativeBackpropInput',
      inputCases.filter((c) => !dilated(c)),
    );
  });

  it('match direct sums over all shapes, dilation 2 included', async () => {
    const filterGrads = await runCases('wasm', 'DepthwiseConv2dNativeBackpropFilter', cases);
    const inputGrads = await runCases('wasm', 'DepthwiseConv2dNativeBackpropInput', inputCases);
    cases.forEach((c, i) =>
      expectClose(filterGrads[i]!, naiveFilterGrad(c, true), `filter ${c.label}`),
    );
    inputCases.forEach((c, i) =>
      expectClose(inputGrads[i]!, naiveDepthwiseInputGrad(c), `input ${c.label}`),
    );
  });
});

describe('UnsortedSegmentSum', () => {
  it(`matches the cpu backend over ${CASES} random shapes, float32 and int32, dropping out-of-range ids`, async () => {
    const rng = new Rng(12);
    const cases: Case[] = Array.from({ length: CASES }, (_, i) => {
      const n = 1 + rng.int(20);
      const rest = Array.from({ length: rng.int(3) }, () => 1 + rng.int(5));
      const numSegments = 1 + rng.int(8);
      const ids = Int32Array.from({ length: n }, () => rng.int(numSegments + 2) - 1);
      const size = n * rest.reduce((a, b) => a * b, 1);
      const x =
        i % 3 === 0
          ? {
              shape: [n, ...rest],
              dtype: 'int32' as const,
              values: Int32Array.from({ length: size }, () => rng.int(100) - 50),
            }
          : normal(rng, [n, ...rest]);
      return {
        label: `x [${x.shape}] ${x.dtype} segments ${numSegments}`,
        inputs: { x, segmentIds: { shape: [n], dtype: 'int32', values: ids } },
        attrs: { numSegments },
      };
    });
    await compareWithCpu('UnsortedSegmentSum', cases);
  });
});

describe('OneHot', () => {
  it(`matches the cpu backend over ${CASES} random cases, float32 included`, async () => {
    const rng = new Rng(13);
    const cases: Case[] = Array.from({ length: CASES }, (_, i) => {
      const shape = Array.from({ length: 1 + rng.int(2) }, () => 1 + rng.int(6));
      const depth = 1 + rng.int(10);
      const values = Int32Array.from(
        { length: shape.reduce((a, b) => a * b, 1) },
        () => rng.int(depth + 2) - 1,
      );
      const dtype = i % 2 === 0 ? 'float32' : 'int32';
      const onValue = dtype === 'float32' ? rng.uniform(0.5, 2) : 1 + rng.int(5);
      return {
        label: `[${shape}] depth ${depth} ${dtype}`,
        inputs: { indices: { shape, dtype: 'int32', values } },
        attrs: { depth, onValue, offValue: dtype === 'float32' ? -0.25 : 0, dtype },
      };
    });
    await compareWithCpu('OneHot', cases);
  });

  it('gives a float one-hot through tf.oneHot on wasm', async () => {
    const [got] = await runCases('wasm', 'OneHot', [
      {
        label: 'x',
        inputs: { indices: { shape: [2], dtype: 'int32', values: Int32Array.from([1, 0]) } },
        attrs: { depth: 2, onValue: 1, offValue: 0, dtype: 'float32' },
      },
    ]);
    expect(Array.from(got!)).toEqual([0, 1, 1, 0]);
    expect(tf.getBackend()).toBe('wasm');
  });
});

describe('BatchMatMul', () => {
  it(`matches the cpu backend over ${CASES} random shapes, transposed and broadcast`, async () => {
    const rng = new Rng(14);
    const cases: Case[] = Array.from({ length: CASES }, (_, i) => {
      const [m, k, n] = [1 + rng.int(40), 1 + rng.int(40), 1 + rng.int(40)];
      const transposeA = i % 4 === 1 || i % 4 === 3;
      const transposeB = i % 4 >= 2;
      const batch = rng.int(3) === 0 ? [] : [1 + rng.int(3)];
      const bBatch = batch.length > 0 && rng.next() < 0.3 ? [1] : batch;
      const aShape = [...batch, ...(transposeA ? [k, m] : [m, k])];
      const bShape = [...bBatch, ...(transposeB ? [n, k] : [k, n])];
      return {
        label: `a [${aShape}] tA ${transposeA} b [${bShape}] tB ${transposeB}`,
        inputs: { a: normal(rng, aShape), b: normal(rng, bShape) },
        attrs: { transposeA, transposeB },
      };
    });
    await compareWithCpu('BatchMatMul', cases);
  });
});

describe('BatchMatMul with batches larger than 1', () => {
  // Batch dims of a and b as [a, b]: equal, b shared, a shared, and [2, 1] against [1, 3].
  const BATCHES: [number[], number[]][] = [
    [[5], [5]],
    [
      [2, 3],
      [2, 3],
    ],
    [[4], [1]],
    [[2, 3], []],
    [[1], [4]],
    [[], [3]],
    [
      [2, 1],
      [1, 3],
    ],
    [
      [3, 1, 2],
      [4, 1],
    ],
  ];

  function batchedCases(rng: Rng, small: boolean): Case[] {
    return BATCHES.flatMap(([aBatch, bBatch], j) =>
      [0, 1, 2, 3].map((t) => {
        // Large slices take the per-slice XNNPACK route, small ones the backend's own loop.
        const size = (): number => (small ? 1 + rng.int(6) : 17 + rng.int(24));
        const [m, k, n] = [size(), size(), size()];
        const transposeA = t % 2 === 1;
        const transposeB = t >= 2;
        const aShape = [...aBatch, ...(transposeA ? [k, m] : [m, k])];
        const bShape = [...bBatch, ...(transposeB ? [n, k] : [k, n])];
        return {
          label: `case ${j}: a [${aShape}] tA ${transposeA} b [${bShape}] tB ${transposeB}`,
          inputs: { a: normal(rng, aShape), b: normal(rng, bShape) },
          attrs: { transposeA, transposeB },
        };
      }),
    );
  }

  it('matches the cpu backend with large and small slices, broadcast and transposed', async () => {
    const rng = new Rng(16);
    const cases = [...batchedCases(rng, false), ...batchedCases(rng, true)];
    // The cpu kernel flattens batch dims (it cannot broadcast [2, 1] against [1, 3]): the
    // reference multiplies operands broadcast to the full batch shape first.
    await selectBackend('cpu');
    const expanded = cases.map((c) => {
      const [a, b] = [c.inputs.a!, c.inputs.b!];
      const batch = tf.broadcast_util.assertAndGetBroadcastShape(
        a.shape.slice(0, -2),
        b.shape.slice(0, -2),
      );
      const full = (x: Input): Input => {
        const shape = [...batch, ...x.shape.slice(-2)];
        const values = tf.tidy(() =>
          tf.broadcastTo(tf.tensor(x.values, x.shape), shape).dataSync(),
        );
        return { shape, dtype: 'float32', values: Float32Array.from(values) };
      };
      return { ...c, inputs: { a: full(a), b: full(b) } };
    });
    const ref = await runCases('cpu', 'BatchMatMul', expanded);
    const got = await runCases('wasm', 'BatchMatMul', cases);
    cases.forEach((c, i) => expectClose(got[i]!, ref[i]!, c.label));
  });

  it("gives the cpu backend's gradients for windowed-attention shapes, without leaking", async () => {
    const rng = new Rng(17);
    // [windows, heads, tokens, head dim] as in a Swin block: q·kᵀ, then attention·v.
    const q = normal(rng, [2, 3, 20, 8]);
    const key = normal(rng, [2, 3, 20, 8]);
    const v = normal(rng, [2, 3, 20, 8]);
    const grads = async (backend: 'cpu' | 'wasm'): Promise<Float32Array[]> => {
      if (backend === 'wasm') await useWasmWithPack();
      else await selectBackend('cpu');
      const run = (): Float32Array[] =>
        tf.tidy(() => {
          const [tq, tk, tv] = [q, key, v].map((x) => tf.tensor(x.values, x.shape));
          const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor): tf.Tensor =>
            tf.sum(tf.square(tf.matMul(tf.softmax(tf.matMul(a, b, false, true)), c)));
          return tf
            .grads(f)([tq!, tk!, tv!])
            .map((g) => Float32Array.from(g.dataSync()));
        });
      const first = run();
      const before = tf.memory().numTensors;
      run();
      expect(tf.memory().numTensors).toBe(before);
      return first;
    };
    const ref = await grads('cpu');
    const got = await grads('wasm');
    ref.forEach((r, i) => expectClose(got[i]!, r, `gradient ${i}`));
  });
});

describe('AvgPoolGrad', () => {
  it(`matches the cpu backend over ${CASES} random shapes (stride 2, same and valid padding, batch 1)`, async () => {
    const rng = new Rng(15);
    const cases: Case[] = Array.from({ length: CASES }, (_, i) => {
      const batch = i % 4 === 0 ? 1 : 1 + rng.int(3);
      const f = 1 + rng.int(3);
      const s = 1 + rng.int(2);
      const pad = rng.next() < 0.5 ? 'same' : 'valid';
      const [h, w, c] = [f + rng.int(8), f + rng.int(8), 1 + rng.int(6)];
      const dyShape = [batch, outSize(h, f, s, 1, pad), outSize(w, f, s, 1, pad), c];
      return {
        label: `x [${batch},${h},${w},${c}] f${f} s${s} ${pad}`,
        inputs: { dy: normal(rng, dyShape), input: normal(rng, [batch, h, w, c]) },
        attrs: { filterSize: f, strides: s, pad },
      };
    });
    await compareWithCpu('AvgPoolGrad', cases);
  });
});
