// Per-kernel timing of the CLAP-mini convolutions (bench/README.md) and its matMuls: the wasm pack
// (@clapjs/kernels-wasm, XNNPACK) vs the native pack (oneDNN). One route per process.
// Usage: node bench/kernels-native/kernels.mjs <pack|native> [batch=16] [reps=3]   (CLAPJS_NATIVE_LAYOUT=any|direct)
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { Rng, selectBackend } from '@clapjs/core';
import { registerWasmKernels } from '@clapjs/kernels-wasm';
import { registerNativeKernels } from '@clapjs/kernels-native';

const [route = 'native', batchArg = '16', repsArg = '3'] = process.argv.slice(2);
const batch = Number(batchArg);
const reps = Number(repsArg);
await selectBackend('wasm');
const status =
  route === 'native'
    ? registerNativeKernels()
    : (registerWasmKernels(), { detail: 'kernels-wasm' });
const rng = new Rng(1);
const rand = (shape) => tf.tensor(rng.normalArray(shape.reduce((a, b) => a * b, 1)), shape);

function time(name, kernel, inputs, attrs) {
  const run = () => tf.dispose(tf.engine().runKernel(kernel, inputs, attrs));
  run(); // warm-up (primitive creation)
  const ms = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    run();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      bench: 'kernels',
      route,
      layout: process.env.CLAPJS_NATIVE_LAYOUT ?? 'direct',
      batch,
      name,
      kernel,
      ms: Number(ms[Math.floor(ms.length / 2)].toFixed(1)),
    }),
  );
}

const layers = [
  [64, 256, 1, 64],
  [32, 128, 64, 128],
  [16, 64, 128, 256],
  [8, 32, 256, 512],
];
layers.forEach(([h, w, cin, cout], i) => {
  const x = rand([batch, h, w, cin]);
  const f = rand([3, 3, cin, cout]);
  const dy = rand([batch, h, w, cout]);
  const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 };
  time(`conv${i + 1}`, 'Conv2D', { x, filter: f }, attrs);
  if (i > 0)
    time(
      `conv${i + 1}`,
      'Conv2DBackpropInput',
      { dy, filter: f },
      { ...attrs, inputShape: [batch, h, w, cin] },
    );
  time(
    `conv${i + 1}`,
    'Conv2DBackpropFilter',
    { x, dy },
    { ...attrs, filterShape: [3, 3, cin, cout] },
  );
  tf.dispose([x, f, dy]);
});
const a = rand([batch, 512]);
const w = rand([512, 256]);
const g = rand([batch, 256]);
time('proj', 'BatchMatMul', { a, b: w }, { transposeA: false, transposeB: false });
time('proj dW', 'BatchMatMul', { a, b: g }, { transposeA: true, transposeB: false });
time('proj dX', 'BatchMatMul', { a: g, b: w }, { transposeA: false, transposeB: true });
const big = rand([1024, 1024]);
time('1024³', 'BatchMatMul', { a: big, b: big }, { transposeA: false, transposeB: false });
time('1024³ tA', 'BatchMatMul', { a: big, b: big }, { transposeA: true, transposeB: false });
console.error(status.detail);
