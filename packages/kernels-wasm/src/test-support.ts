// Test helpers (not exported by the package): run one kernel on many cases on cpu, then on wasm
// with the pack, and compare.
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type Rng } from '@clapjs/core';
import { registerWasmKernels } from './index.js';
import { expectClose } from '@clapjs/config/expect-close';

export interface Input {
  shape: number[];
  dtype: 'float32' | 'int32';
  values: Float32Array | Int32Array;
}
export interface Case {
  inputs: Record<string, Input>;
  attrs: Record<string, unknown>;
  label: string;
}

export async function useWasmWithPack(): Promise<void> {
  await selectBackend('wasm');
  registerWasmKernels();
}

export async function runCases(
  backend: 'cpu' | 'wasm',
  kernel: string,
  cases: Case[],
): Promise<Float32Array[]> {
  if (backend === 'wasm') await useWasmWithPack();
  else await selectBackend('cpu');
  return cases.map((c) =>
    tf.tidy(() => {
      const inputs: Record<string, tf.Tensor> = {};
      for (const [name, i] of Object.entries(c.inputs))
        inputs[name] = tf.tensor(i.values, i.shape, i.dtype);
      const out = tf.engine().runKernel(kernel, inputs, c.attrs as tf.NamedAttrMap) as tf.Tensor;
      return Float32Array.from(out.dataSync());
    }),
  );
}

// The kernel packs share one tolerance check: max |got − ref| ≤ 1e-4 · max |ref|.
export { expectClose };

export async function compareWithCpu(kernel: string, cases: Case[]): Promise<void> {
  const ref = await runCases('cpu', kernel, cases);
  const got = await runCases('wasm', kernel, cases);
  cases.forEach((c, i) =>
    expectClose(got[i] as Float32Array, ref[i] as Float32Array, `${kernel} ${c.label}`),
  );
}

export function normal(rng: Rng, shape: number[]): Input {
  return { shape, dtype: 'float32', values: rng.normalArray(shape.reduce((a, b) => a * b, 1)) };
}

/** Output size of a conv dimension, as tfjs computes it for 'same' and 'valid'. */
export function outSize(
  inSize: number,
  k: number,
  stride: number,
  dilation: number,
  pad: 'same' | 'valid',
): number {
  const effective = (k - 1) * dilation + 1;
  return pad === 'same' ? Math.ceil(inSize / stride) : Math.ceil((inSize - effective + 1) / stride);
}
