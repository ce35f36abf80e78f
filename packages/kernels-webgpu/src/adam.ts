import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { ADAM_UPDATE_KERNEL, type AdamUpdateAttrs } from '@clapjs/core';
import { KernelPackError } from './backend.js';
import { dispatchShader, flatGrid, type RawBackend } from './raw-dispatch.js';

const THREADS = 256;

// One thread per element; every constant arrives as the float32 the optimizer's ops would use.
const SHADER = `
struct U {
  scale: f32, l2: f32, b1: f32, ob1: f32, b2: f32, ob2: f32,
  c2: f32, eps: f32, lrc1: f32, lrwd: f32, size: u32, nx: u32,
}
@group(0) @binding(0) var<storage, read> P: array<f32>;
@group(0) @binding(1) var<storage, read> M: array<f32>;
@group(0) @binding(2) var<storage, read> V: array<f32>;
@group(0) @binding(3) var<storage, read> G: array<f32>;
@group(0) @binding(4) var<storage, read_write> P2: array<f32>;
@group(0) @binding(5) var<storage, read_write> M2: array<f32>;
@group(0) @binding(6) var<storage, read_write> V2: array<f32>;
@group(0) @binding(7) var<uniform> u: U;

@compute @workgroup_size(${THREADS})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * u.nx + wg.x) * ${THREADS}u + li;
  if (i >= u.size) { return; }
  let p = P[i];
  var g = G[i] * u.scale;
  if (u.l2 != 0.0) { g = g + p * u.l2; }
  let m = M[i] * u.b1 + g * u.ob1;
  let v = V[i] * u.b2 + (g * g) * u.ob2;
  M2[i] = m;
  V2[i] = v;
  let step = (m * u.lrc1) / (sqrt(v / u.c2) + u.eps);
  var next = p - step;
  if (u.lrwd != 0.0) { next = next - p * u.lrwd; }
  P2[i] = next;
}`;

interface Args {
  inputs: Record<string, TensorInfo>;
  backend: RawBackend;
  attrs: NamedAttrMap;
}

/** Adam/AdamW for one variable in one dispatch: see @clapjs/core's ADAM_UPDATE_KERNEL. */
function adamUpdate({ inputs, backend, attrs }: Args): TensorInfo[] {
  const { variable, m, v, gradient } = inputs;
  const all = [variable, m, v, gradient];
  const size = tf.util.sizeFromShape(variable!.shape);
  if (
    all.some(
      (t) => t === undefined || t.dtype !== 'float32' || tf.util.sizeFromShape(t.shape) !== size,
    )
  ) {
    throw new KernelPackError(
      'KERNELS_WEBGPU_SHAPE',
      `${ADAM_UPDATE_KERNEL}: expected float32 variable, m, v and gradient of one size, got ` +
        all
          .map((t) => (t === undefined ? 'none' : `${t.dtype} [${t.shape.join(', ')}]`))
          .join(', ') +
        '. Pass a variable with its moments and its gradient.',
    );
  }
  const a = attrs as unknown as AdamUpdateAttrs;
  const outputs = [0, 1, 2].map(() => backend.makeTensorInfo(variable!.shape, 'float32'));
  if (size === 0) return outputs;
  const decayed = a.weightDecay > 0;
  const grid = flatGrid(size, THREADS);
  const f32 = (data: number): { type: 'float32'; data: number[] } => ({
    type: 'float32',
    data: [data],
  });
  dispatchShader(
    backend,
    'clapjs_adam_update',
    () => SHADER,
    [variable!, m!, v!, gradient!, ...outputs],
    [
      f32(a.scale),
      f32(decayed && a.kind === 'adam' ? a.weightDecay : 0),
      f32(a.beta1),
      f32(1 - a.beta1),
      f32(a.beta2),
      f32(1 - a.beta2),
      f32(1 - a.beta2 ** a.step),
      f32(a.epsilon),
      f32(a.lr / (1 - a.beta1 ** a.step)),
      f32(decayed && a.kind === 'adamw' ? a.lr * a.weightDecay : 0),
      { type: 'uint32', data: [size] },
      { type: 'uint32', data: [grid[0]] },
    ],
    grid,
    tf.env().getNumber('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE'),
  );
  return outputs;
}

/** The fused Adam update as a webgpu kernel config (no tfjs original: a new kernel name). */
export function adamUpdateConfig(): KernelConfig {
  return {
    kernelName: ADAM_UPDATE_KERNEL,
    backendName: 'webgpu',
    kernelFunc: adamUpdate as unknown as KernelFunc,
  };
}
