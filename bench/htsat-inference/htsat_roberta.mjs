// HTSAT-tiny + RoBERTa-base CLAP inference (./model.mjs: what `clapjs import --from hf` builds for
// laion/clap-htsat-unfused, random weights) on the CLI's CPU routes; the peer is htsat_roberta.py.
// Audio: log-mel [batch, 1001, 64, 1] (10 s at 48 kHz, hop 480) → HTSAT → projection → L2 norm
// (model.encodeAudio of a log-mel tensor; the front end is benchmarked in bench/logmel). Text:
// captions of 12–19 tokens padded to 77 → RoBERTa → pooler → projection → L2 norm.
// Usage: node htsat_roberta.mjs prepare <dir>        (saves the seeded model once)
//        node htsat_roberta.mjs <native|wasm> <dir> <audio batch> <text batch> <measured> [warmup]
//   native: tfjs-wasm + @clapjs/kernels-native (oneDNN; falls back to kernels-wasm, and says so)
//   wasm:   tfjs-wasm + @clapjs/kernels-wasm
// Prints one JSON line per figure.
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { Rng, selectBackend } from '@clapjs/core';
import { registerWasmKernels } from '@clapjs/kernels-wasm';
import { ClapModel } from '@clapjs/model';
import { htsatRobertaModel } from './model.mjs';

const [route, dir, audioArg = '1', textArg = '16', measuredArg = '2', warmupArg = '1'] =
  process.argv.slice(2);
await selectBackend('wasm');
if (route === 'prepare') {
  const model = await htsatRobertaModel(1);
  await model.save(dir);
  model.dispose();
  process.exit(0);
}
let engine = 'tfjs-wasm+kernels-wasm';
let threads = 1;
if (route === 'native') {
  const { registerNativeKernels } = await import('../../packages/kernels-native/dist/index.js');
  const status = registerNativeKernels();
  engine = status.loaded
    ? 'tfjs-wasm+kernels-native'
    : 'tfjs-wasm+kernels-wasm (native not loaded)';
  threads = status.threads ?? 1;
  if (!status.loaded) console.error(status.detail);
} else registerWasmKernels();

const [audioBatch, textBatch, measured, warmup] = [audioArg, textArg, measuredArg, warmupArg].map(
  Number,
);
const model = await ClapModel.load(dir);
const rng = new Rng(2);
const mel = tf.tensor4d(rng.normalArray(audioBatch * 1001 * 64), [audioBatch, 1001, 64, 1]);
const captions = Array.from({ length: textBatch }, (_, i) =>
  Array.from(
    { length: 10 + (i % 8) },
    (_, w) => ['a', 'dog', 'barks', 'rain', 'on', 'the', 'roof', 'piano'][(i + w) % 8],
  ).join(' '),
);
const tokens = model.tokenize(captions);

function emit(record) {
  console.log(JSON.stringify({ bench: 'htsat-inference', engine, threads, ...record }));
}

async function timeIt(fn, items) {
  const times = [];
  const counts = [];
  let maxAbs = 0;
  for (let rep = 0; rep < warmup + measured; rep++) {
    const start = performance.now();
    const out = fn();
    const values = await out.data();
    const ms = performance.now() - start;
    out.dispose();
    maxAbs = values.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    counts.push(tf.memory().numTensors);
    if (rep >= warmup) times.push(ms);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  return {
    ms: +median.toFixed(1),
    itemsPerSecond: +((items * 1000) / median).toFixed(3),
    maxAbs,
    tensorsConstant: counts.every((c) => c === counts[0]),
  };
}

const params = model.variables().reduce((n, v) => n + v.variable.size, 0);
emit({
  figure: 'audio',
  batch: audioBatch,
  params,
  ...(await timeIt(() => model.encodeAudio(mel), audioBatch)),
});
emit({
  figure: 'text',
  batch: textBatch,
  ...(await timeIt(() => model.encodeText(tokens), textBatch)),
});
emit({
  figure: 'peak-rss',
  batch: audioBatch,
  mb: Math.round(process.resourceUsage().maxRSS / 1024),
  loadavg: os.loadavg().map((x) => +x.toFixed(2)),
});
