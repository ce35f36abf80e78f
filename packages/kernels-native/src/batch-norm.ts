import { util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { BATCH_NORM_GRAD_KERNEL, BATCH_NORM_KERNEL, type BatchNormAttrs } from '@clapjs/core';
import { KernelPackError } from '@clapjs/kernels-wasm';
import type { NativeAddon } from './addon.js';
import type { NativeKernelArgs } from './previous.js';

/** Checks each named input against its expected shape (float32); returns them in order. */
function checked(
  kernel: string,
  inputs: Record<string, TensorInfo | undefined>,
  expected: Record<string, number[]>,
): TensorInfo[] {
  const bad = Object.entries(expected).filter(([name, shape]) => {
    const t = inputs[name];
    return (
      t === undefined ||
      t.dtype !== 'float32' ||
      util.sizeFromShape(t.shape) !== util.sizeFromShape(shape)
    );
  });
  if (bad.length > 0) {
    const got = (t: TensorInfo | undefined) =>
      t === undefined ? 'none' : `${t.dtype} [${t.shape.join(', ')}]`;
    throw new KernelPackError(
      'KERNELS_NATIVE_SHAPE',
      `${kernel}: expected ${bad.map(([n, s]) => `${n} float32 [${s.join(', ')}] (got ${got(inputs[n])})`).join(', ')}. Pass a float32 [rows, C] x with per-channel [C] parameters.`,
    );
  }
  return Object.keys(expected).map((name) => inputs[name]!);
}

/** The [rows, C] of a kernel's x; anything but a float32 matrix is reported. */
function geometry(kernel: string, x: TensorInfo | undefined): [number, number] {
  if (x !== undefined && x.dtype === 'float32' && x.shape.length === 2)
    return [x.shape[0]!, x.shape[1]!];
  throw new KernelPackError(
    'KERNELS_NATIVE_SHAPE',
    `${kernel}: expected x float32 [rows, C], got ${x === undefined ? 'none' : `${x.dtype} [${x.shape.join(', ')}]`}. Reshape the input to [rows, channels] first.`,
  );
}

function batchNorm(addon: NativeAddon, { inputs, backend, attrs }: NativeKernelArgs): TensorInfo[] {
  const [rows, c] = geometry(BATCH_NORM_KERNEL, inputs.x);
  const [x, gamma, beta] = checked(BATCH_NORM_KERNEL, inputs, {
    x: [rows, c],
    gamma: [c],
    beta: [c],
  });
  const { epsilon, relu } = attrs as unknown as BatchNormAttrs;
  const outputs = [
    backend.makeOutput([rows, c], 'float32'),
    ...[0, 1, 2].map(() => backend.makeOutput([1, c], 'float32')),
  ];
  if (rows === 0 || c === 0) return outputs;
  // Views only after every allocation (a growing heap invalidates older ones).
  const view = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
  const [y, mean, variance, invStd] = outputs.map(view) as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  addon.batchNorm(
    view(x!),
    view(gamma!),
    view(beta!),
    y,
    mean,
    variance,
    invStd,
    rows,
    c,
    epsilon,
    relu,
  );
  return outputs;
}

function batchNormGrad(
  addon: NativeAddon,
  { inputs, backend, attrs }: NativeKernelArgs,
): TensorInfo[] {
  const [rows, c] = geometry(BATCH_NORM_GRAD_KERNEL, inputs.x);
  const given = checked(BATCH_NORM_GRAD_KERNEL, inputs, {
    dy: [rows, c],
    x: [rows, c],
    gamma: [c],
    mean: [1, c],
    invStd: [1, c],
    y: [rows, c],
  });
  const { relu } = attrs as unknown as BatchNormAttrs;
  const outputs = [
    backend.makeOutput([rows, c], 'float32'),
    backend.makeOutput([c], 'float32'),
    backend.makeOutput([c], 'float32'),
  ];
  if (rows === 0 || c === 0) return outputs;
  const view = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
  const [dy, x, gamma, mean, invStd, y] = given.map(view) as Float32Array[];
  const [dx, dGamma, dBeta] = outputs.map(view) as Float32Array[];
  addon.batchNormGrad(dy!, x!, gamma!, mean!, invStd!, y!, dx!, dGamma!, dBeta!, rows, c, relu);
  return outputs;
}

/** The fused training-mode BatchNorm and its gradient as wasm kernel configs (new kernels). */
export function batchNormConfigs(addon: NativeAddon): KernelConfig[] {
  return [
    {
      kernelName: BATCH_NORM_KERNEL,
      backendName: 'wasm',
      kernelFunc: ((args: NativeKernelArgs) => batchNorm(addon, args)) as unknown as KernelFunc,
    },
    {
      kernelName: BATCH_NORM_GRAD_KERNEL,
      backendName: 'wasm',
      kernelFunc: ((args: NativeKernelArgs) => batchNormGrad(addon, args)) as unknown as KernelFunc,
    },
  ];
}
