import * as tf from '@tensorflow/tfjs-core';
import { kernelPackStatuses, Rng, selectBackend } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { registerWasmKernels, wasmKernelsRegistered, WASM_PACK_KERNELS } from './index.js';
import { expectClose, useWasmWithPack } from './test-support.js';

interface Problem {
  x: Float32Array;
  w1: Float32Array;
  table: Float32Array;
  ids: Int32Array;
  w2: Float32Array;
}

function problem(rng: Rng): Problem {
  return {
    x: rng.normalArray(3 * 12 * 10 * 2),
    w1: rng.normalArray(3 * 3 * 2 * 4, 0, 0.3),
    table: rng.normalArray(20 * 4),
    ids: Int32Array.from({ length: 3 * 5 }, () => rng.int(20)),
    w2: rng.normalArray(4 * 4, 0, 0.3),
  };
}

/**
 * A small model that needs every training kernel: conv2d (stride 2) whose filter gradient is
 * Conv2DBackpropFilter, gather whose gradient is UnsortedSegmentSum, and a matMul whose gradient
 * uses transposed operands. Returns the gradients after `steps` SGD steps, and the tensor counts.
 */
function train(p: Problem, steps: number): { grads: Float32Array[]; counts: number[] } {
  const w1 = tf.variable(tf.tensor4d(p.w1, [3, 3, 2, 4]));
  const table = tf.variable(tf.tensor2d(p.table, [20, 4]));
  const w2 = tf.variable(tf.tensor2d(p.w2, [4, 4]));
  const x = tf.tensor4d(p.x, [3, 12, 10, 2]);
  const ids = tf.tensor2d(p.ids, [3, 5], 'int32');
  const counts: number[] = [];
  let grads: Float32Array[] = [];
  for (let step = 0; step < steps; step++) {
    const { value, grads: g } = tf.variableGrads(() => {
      const audio = tf.mean(tf.relu(tf.conv2d(x, w1, 2, 'same')), [1, 2]) as tf.Tensor2D;
      const text = tf.matMul(tf.mean(tf.gather(table, ids), 1) as tf.Tensor2D, w2);
      const logits = tf.matMul(text, audio, false, true);
      return tf.losses.softmaxCrossEntropy(
        tf.oneHot(tf.range(0, 3, 1, 'int32'), 3),
        logits,
      ) as tf.Scalar;
    }, [w1, table, w2]);
    grads = [g[w1.name], g[table.name], g[w2.name]].map((t) =>
      Float32Array.from((t as tf.Tensor).dataSync()),
    );
    tf.tidy(() => {
      for (const v of [w1, table, w2]) v.assign(tf.sub(v, tf.mul(g[v.name] as tf.Tensor, 0.1)));
    });
    tf.dispose([value, g]);
    counts.push(tf.memory().numTensors);
  }
  tf.dispose([w1, table, w2, x, ids]);
  return { grads, counts };
}

describe('training on wasm with the pack', () => {
  it("conv2d, gather and transposed matMul gradients equal the cpu backend's, step after step", async () => {
    const p = problem(new Rng(21));
    await selectBackend('cpu');
    const ref = train(p, 5);
    await useWasmWithPack();
    const got = train(p, 5);
    ref.grads.forEach((r, i) => expectClose(got.grads[i]!, r, `gradient ${i}`));
    expect(ref.grads[1]!.some((v) => v !== 0)).toBe(true);
  });

  it('keeps the number of live tensors constant across steps', async () => {
    await useWasmWithPack();
    const { counts } = train(problem(new Rng(22)), 6);
    expect(new Set(counts.slice(1)).size).toBe(1);
  });

  it('registers idempotently, replacing the broken or slow kernels once', async () => {
    await useWasmWithPack();
    const kernel = tf.getKernel('BatchMatMul', 'wasm');
    expect(registerWasmKernels()).toEqual(WASM_PACK_KERNELS);
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(kernel);
    expect(wasmKernelsRegistered()).toBe(true);
    for (const name of WASM_PACK_KERNELS) expect(tf.getKernel(name, 'wasm')).toBeDefined();
    const report = kernelPackStatuses('wasm').find((p) => p.name === '@clapjs/kernels-wasm');
    expect(report?.loaded).toBe(true);
    expect(report?.detail).toContain('Conv2DBackpropFilter');
  });

  it('keeps working after switching backends back and forth (the wrapped kernel setup runs again)', async () => {
    await useWasmWithPack();
    await selectBackend('cpu');
    await selectBackend('wasm');
    const r = tf.matMul(
      tf.tensor2d([
        [1, 2],
        [3, 4],
      ]),
      tf.tensor2d([
        [1, 0],
        [0, 1],
      ]),
      true,
      false,
    );
    expect(Array.from(await r.data())).toEqual([1, 3, 2, 4]);
    r.dispose();
  });
});
