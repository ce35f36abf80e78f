// Full-size CNN14 inference (msclap 2022's audio encoder: the `cnn14` plugin at width 1, as
// @clapjs/checkpoints' msclap-2022 family configures it) on the CLI's CPU routes, one
// configuration per process so that peak RSS belongs to it alone. Random weights (timing only).
// Input: log-mel [batch, 690 frames, 64 mel, 1] = 5 s at 44.1 kHz, hop 320, centred (the
// msclap-2022 preset). Prints one JSON line per figure.
// Usage: node cnn14.mjs <native|wasm> <batch> <measured> [warmup]
//   native: tfjs-wasm + @clapjs/kernels-native (oneDNN; falls back to kernels-wasm, and says so)
//   wasm:   tfjs-wasm + @clapjs/kernels-wasm
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { Rng, selectBackend } from '@clapjs/core';
import { registerWasmKernels } from '@clapjs/kernels-wasm';
import os from 'node:os';
// Not dependencies of bench/ (built workspace packages): loaded from their dist, as clap-mini does.
import { CnnAudioEncoder } from '../../packages/audio-encoders/dist/index.js';

const [route = 'native', batchArg = '1', measuredArg = '5', warmupArg = '1'] =
  process.argv.slice(2);
const batch = Number(batchArg);
const measured = Number(measuredArg);
const warmup = Number(warmupArg);
const [frames, mels] = [690, 64];
let engine = 'tfjs-wasm+kernels-wasm';
let threads = 1;

function emit(record) {
  console.log(JSON.stringify({ bench: 'cnn14-inference', engine, threads, batch, ...record }));
}

await selectBackend('wasm');
if (route === 'native') {
  const { registerNativeKernels } = await import('../../packages/kernels-native/dist/index.js');
  const status = registerNativeKernels();
  engine = status.loaded
    ? 'tfjs-wasm+kernels-native'
    : 'tfjs-wasm+kernels-wasm (native not loaded)';
  threads = status.threads ?? 1;
  if (!status.loaded) console.error(status.detail);
} else registerWasmKernels();

const encoder = new CnnAudioEncoder({ name: 'cnn14' }, { melBins: mels, rng: new Rng(0) });
const params = encoder.variables().reduce((n, v) => n + v.variable.size, 0);
const input = tf.tensor4d(new Rng(1).normalArray(batch * frames * mels), [batch, frames, mels, 1]);
const times = [];
// CPU time of the process (all threads) per call: on a loaded machine wall time says how much of
// the CPU the process got; CPU time says how much work it needed.
const cpuTimes = [];
const tensors = [];
let maxAbs = 0;
for (let rep = 0; rep < warmup + measured; rep++) {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const embedding = encoder.encode(input, { training: false });
  const values = await embedding.data();
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  embedding.dispose();
  maxAbs = values.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  tensors.push(tf.memory().numTensors);
  if (rep >= warmup) {
    times.push(ms);
    cpuTimes.push(cpuMs);
  }
  emit({ figure: 'rep', rep, warm: rep >= warmup, ms: Math.round(ms), cpuMs: Math.round(cpuMs) });
}
const sorted = [...times].sort((a, b) => a - b);
const medianMs = sorted[Math.floor(sorted.length / 2)];
emit({
  figure: 'summary',
  params,
  input: [batch, frames, mels, 1],
  measured,
  warmup,
  medianMs: Math.round(medianMs),
  clipsPerS: +((1000 * batch) / medianMs).toFixed(3),
  times: times.map(Math.round),
  cpuTimes: cpuTimes.map(Math.round),
  tensorsAfterEachCall: tensors,
  maxAbsEmbedding: +maxAbs.toPrecision(4),
  peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  node: process.version,
  cpu: os.cpus()[0].model,
});
