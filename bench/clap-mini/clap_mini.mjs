// CLAP-mini (BENCHMARKS.md) in plain tfjs-core, one configuration per process so that peak RSS
// belongs to it alone. Prints one JSON line per figure.
// Usage: node clap_mini.mjs <cpu|wasm> <pack|nopack> <batch> <measuredSteps> [warmupSteps]
import * as tf from '@tensorflow/tfjs-core';
// Static backend imports (selectBackend then finds them registered) keep the script bundleable.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { Rng, selectBackend } from '@clapjs/core';
import { registerWasmKernels } from '@clapjs/kernels-wasm';
import os from 'node:os';

const [backend = 'wasm', packArg = 'pack', batchArg = '16', stepsArg = '10', warmupArg = '2'] = process.argv.slice(2);
const batch = Number(batchArg);
const steps = Number(stepsArg);
const warmup = Number(warmupArg);
const pack = packArg === 'pack';
const engine = `tfjs-${backend}${backend === 'wasm' ? (pack ? '+kernels-wasm' : ' (no pack)') : ''}`;
const MEL = 64, FRAMES = 256, TOKENS = 32, VOCAB = 5000, WIDTH = 512, DIM = 256;

function emit(record) {
  console.log(JSON.stringify({ bench: 'clap-mini', engine, batch, ...record }));
}

await selectBackend(backend);
if (backend === 'wasm' && pack) registerWasmKernels();

const rng = new Rng(1);
// He-normal convs, Glorot-uniform dense (the values do not affect speed; shapes match PyTorch's).
const he = (shape, fanIn) => tf.variable(tf.tensor(rng.normalArray(shape.reduce((a, b) => a * b), 0, Math.sqrt(2 / fanIn)), shape));
const glorot = (fanIn, fanOut) => {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return tf.variable(tf.tensor2d(rng.uniformArray(fanIn * fanOut, -limit, limit), [fanIn, fanOut]));
};
const channels = [1, 64, 128, 256, 512];
const convs = channels.slice(1).map((c, i) => he([3, 3, channels[i], c], 9 * channels[i]));
const embedding = tf.variable(tf.tensor2d(rng.normalArray(VOCAB * WIDTH), [VOCAB, WIDTH]));
const textDense = glorot(WIDTH, WIDTH);
const audioProj = glorot(WIDTH, DIM);
const textProj = glorot(WIDTH, DIM);
const logitScale = tf.variable(tf.scalar(Math.log(1 / 0.07)));
const variables = [...convs, embedding, textDense, audioProj, textProj, logitScale];

const logMel = tf.tensor4d(rng.normalArray(batch * MEL * FRAMES), [batch, MEL, FRAMES, 1]);
const ids = tf.tensor2d(Int32Array.from({ length: batch * TOKENS }, () => rng.int(VOCAB)), [batch, TOKENS], 'int32');
const labels = tf.oneHot(tf.range(0, batch, 1, 'int32'), batch);
const labelsF = tf.cast(labels, 'float32');

function l2Normalize(x) {
  return tf.div(x, tf.sqrt(tf.maximum(tf.sum(tf.square(x), -1, true), 1e-24)));
}

function loss() {
  let h = logMel;
  convs.forEach((w, i) => {
    h = tf.relu(tf.conv2d(h, w, 1, 'same'));
    if (i < convs.length - 1) h = tf.avgPool(h, 2, 2, 'valid');
  });
  const audio = tf.mean(h, [1, 2]);
  const text = tf.relu(tf.matMul(tf.mean(tf.gather(embedding, ids), 1), textDense));
  const ea = l2Normalize(tf.matMul(audio, audioProj));
  const et = l2Normalize(tf.matMul(text, textProj));
  const logits = tf.mul(tf.exp(logitScale), tf.matMul(et, ea, false, true));
  const rows = tf.losses.softmaxCrossEntropy(labelsF, logits);
  const cols = tf.losses.softmaxCrossEntropy(labelsF, tf.transpose(logits));
  return tf.mul(tf.add(rows, cols), 0.5);
}

const optimizer = tf.train.adam(1e-4);
if (process.env.CLAP_MINI_PROFILE === '1') {
  // One warm step, then a per-kernel profile of one step (kernel time summed by kernel name).
  tf.dispose(optimizer.minimize(loss, true, variables));
  const info = await tf.profile(() => tf.dispose(optimizer.minimize(loss, true, variables)));
  const byKernel = new Map();
  for (const k of info.kernels) {
    const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += Number(k.kernelTimeMs) || 0;
    entry.calls += 1;
    byKernel.set(k.name, entry);
  }
  const profile = [...byKernel].sort((a, b) => b[1].ms - a[1].ms).map(([name, e]) => ({ name, ms: Math.round(e.ms), calls: e.calls }));
  emit({ figure: 'profile', totalKernelMs: Math.round(profile.reduce((a, e) => a + e.ms, 0)), kernels: profile.slice(0, 15) });
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
    emit({ figure: 'step', step, ms: Math.round(ms), loss: lossValue, tensors: tf.memory().numTensors });
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
  threads: 1,
  cpus: os.cpus().length,
});
