// CLAP-mini (bench/README.md) in plain tfjs-core, one configuration per process so that peak RSS
// belongs to it alone. Prints one JSON line per figure.
// Usage: node clap_mini.mjs <cpu|wasm> <pack|nopack|native> <batch> <measuredSteps> [warmupSteps]
// `native`: wasm + @clapjs/kernels-native (oneDNN addon; its own threads), falling back to the
// wasm pack when the addon cannot load (the engine name then says so).
import * as tf from '@tensorflow/tfjs-core';
// Static backend imports (selectBackend then finds them registered) keep the script bundleable.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { Rng, selectBackend } from '@clapjs/core';
import { registerWasmKernels } from '@clapjs/kernels-wasm';
import { buildClapMini } from './model.mjs';
import { summarizeProfile } from '../profile.mjs';
import os from 'node:os';

const [backend = 'wasm', packArg = 'pack', batchArg = '16', stepsArg = '10', warmupArg = '2'] =
  process.argv.slice(2);
const batch = Number(batchArg);
const steps = Number(stepsArg);
const warmup = Number(warmupArg);
const pack = packArg === 'pack' || packArg === 'native';
let engine = `tfjs-${backend}${backend === 'wasm' ? (pack ? '+kernels-wasm' : ' (no pack)') : ''}`;
let threads = 1;

function emit(record) {
  console.log(JSON.stringify({ bench: 'clap-mini', engine, batch, ...record }));
}

await selectBackend(backend);
if (backend === 'wasm' && packArg === 'native') {
  // Not a dependency of bench/ (an optional native build): loaded from the workspace's dist.
  const { registerNativeKernels } = await import('../../packages/kernels-native/dist/index.js');
  const status = registerNativeKernels();
  engine = status.loaded
    ? 'tfjs-wasm+kernels-native'
    : 'tfjs-wasm+kernels-wasm (native not loaded)';
  threads = status.threads ?? 1;
  if (!status.loaded) console.error(status.detail);
} else if (backend === 'wasm' && pack) registerWasmKernels();

const rng = new Rng(1);
// He-normal convs, Glorot-uniform dense (the values do not affect speed; shapes match PyTorch's).
const { variables, loss } = buildClapMini(tf, rng, batch);

const optimizer = tf.train.adam(1e-4);
if (process.env.CLAP_MINI_PROFILE === '1') {
  // One warm step, then a per-kernel profile of one step (kernel time summed by kernel name).
  tf.dispose(optimizer.minimize(loss, true, variables));
  const info = await tf.profile(() => tf.dispose(optimizer.minimize(loss, true, variables)));
  const { totalKernelMs, kernels } = await summarizeProfile(info);
  emit({
    figure: 'profile',
    totalKernelMs: Math.round(totalKernelMs),
    kernels: kernels.slice(0, 15).map((k) => ({ ...k, ms: Math.round(k.ms) })),
  });
  process.exit(0);
}
const times = [];
const tensors = [];
let lossValue = NaN;
try {
  for (let step = 0; step < warmup + steps; step++) {
    const start = performance.now();
    const cost = optimizer.minimize(loss, true, variables);
    lossValue = (await cost.data())[0];
    cost.dispose();
    const ms = performance.now() - start;
    tensors.push(tf.memory().numTensors);
    if (step >= warmup) times.push(ms);
    emit({
      figure: 'step',
      step,
      ms: Math.round(ms),
      loss: lossValue,
      tensors: tf.memory().numTensors,
    });
  }
} catch (error) {
  emit({ figure: 'error', message: String(error?.message ?? error).split('\n')[0] });
  process.exit(0);
}
const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
emit({
  figure: 'summary',
  msPerStep: Math.round(median),
  samplesPerSecond: Number(((1000 * batch) / median).toFixed(2)),
  measuredSteps: times.length,
  warmupSteps: warmup,
  tensorsAfterEachStep: tensors,
  tensorsConstant: new Set(tensors.slice(1)).size <= 1,
  peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  threads,
  cpus: os.cpus().length,
});
