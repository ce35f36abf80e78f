// Data-parallel gradient workers (@clapjs/trainer `workers`) on the wasm route: samples/s of K
// workers at one batch size, one configuration per process. Prints one JSON line per figure.
// Usage: node bench.mjs <default|clap-mini> <workers> <batch> <measuredSteps> [warmupSteps]
// ROUTE=native adds @clapjs/kernels-native (oneDNN; its threads per worker = cores / workers).
// The trainer and the native pack are imported from packages/*/dist (bench/package.json does not
// list them).
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@clapjs/kernels-wasm/register';
import { Rng, selectBackend } from '@clapjs/core';
import { ClapModel, defaultModelConfig } from '@clapjs/model';
import { defaultWorkerSetup, Trainer } from '../../packages/trainer/dist/index.js';

const [modelArg = 'default', workersArg = '1', batchArg = '64', stepsArg = '5', warmupArg = '2'] =
  process.argv.slice(2);
const workers = Number(workersArg);
const batch = Number(batchArg);
const steps = Number(stepsArg);
const warmup = Number(warmupArg);

const MODELS = {
  // The `model` section of apps/train/configs/default.yaml.
  default: defaultModelConfig(),
  // bench/README.md's CLAP-mini as clapjs parts (closest built-ins: cnn-small adds BatchNorm and
  // fc1; 64 mel × 256 frames; 4 conv blocks 64–512; bag of 512-d word embeddings + dense; 256-d).
  'clap-mini': {
    audio: { preset: 'fast', clipSeconds: 4.08 },
    audioEncoder: {
      name: 'cnn-small',
      channels: [64, 128, 256, 512],
      inputPool: [1, 1],
      outputDim: 512,
      dropout: 0,
    },
    textEncoder: { name: 'bag-of-embeddings', width: 512, dense: 512 },
    tokenizer: { name: 'word', maxLength: 32 },
    audioProjection: { name: 'linear', dim: 256 },
    textProjection: { name: 'linear', dim: 256 },
    similarity: { name: 'cosine' },
    loss: { name: 'symmetric-clap' },
  },
};

const native = process.env.ROUTE === 'native';
const nativeRegister = new URL('../../packages/kernels-native/dist/register.js', import.meta.url)
  .href;
if (native) await import(nativeRegister);
const selection = await selectBackend('wasm');
const words = Array.from({ length: 200 }, (_, i) => `w${i}`);
const rng = new Rng(1);
const caption = () => Array.from({ length: 8 }, () => rng.pick(words)).join(' ');
const model = await ClapModel.create(MODELS[modelArg], {
  seed: 1,
  captions: Array.from({ length: 500 }, caption),
});
const { sampleRate, clipSeconds, nMels } = model.config.audio;
const frames = model.frontEnd.frames(Math.round(sampleRate * clipSeconds));
const makeBatch = () => ({
  logMel: Float32Array.from({ length: batch * frames * nMels }, () => rng.normal()),
  frames,
  melBins: nMels,
  captions: Array.from({ length: batch }, caption),
  ids: Array.from({ length: batch }, String),
  labels: Array.from({ length: batch }, () => undefined),
});
const batches = Array.from({ length: warmup + steps }, makeBatch);
const data = { getState: () => ({}), setState: () => {}, async *[Symbol.asyncIterator]() {} };
// wasm route: the trainer's default worker setup (the kernel packs this thread loaded).
const workerSetup = native
  ? [import.meta.resolve('@clapjs/kernels-wasm/register'), nativeRegister]
  : undefined;
const trainer = new Trainer(model, data, {
  steps: 1000,
  lr: 1e-4,
  workers,
  ...(workerSetup ? { workerSetup } : {}),
});
const emit = (record) =>
  console.log(
    JSON.stringify({
      bench: 'workers',
      model: modelArg,
      engine: `tfjs-wasm+${
        selection.kernelPacks
          .filter((p) => p.loaded)
          .map((p) => p.name.replace('@clapjs/', ''))
          .join('+') || 'no pack'
      }`,
      workers,
      batch,
      ...record,
    }),
  );

/** CPU ms of each thread of this process so far (Linux /proc; clock ticks of 10 ms). */
function threadCpu() {
  const out = new Map();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // the thread ended
    }
  }
  return out;
}

const times = [];
const cpuTimes = [];
const criticalPaths = [];
const tensors = [];
for (let i = 0; i < batches.length; i++) {
  const cpu = process.cpuUsage();
  const threadsBefore = threadCpu();
  const start = performance.now();
  const loss = await trainer.trainStep(batches[i]);
  const ms = performance.now() - start;
  // The step's critical path in CPU time: this thread's, plus the busiest other thread's (a
  // gradient worker) when workers run. On an idle machine that is about the wall time; on a
  // loaded one it is what the wall time would be without the other processes.
  const deltas = [...threadCpu()].map(([tid, t]) => [tid, t - (threadsBefore.get(tid) ?? 0)]);
  const mainCpu = deltas.find(([tid]) => tid === process.pid)?.[1] ?? 0;
  const otherMax = Math.max(0, ...deltas.filter(([tid]) => tid !== process.pid).map(([, t]) => t));
  const criticalPath = mainCpu + (workers > 1 ? otherMax : 0);
  // CPU time of every thread of the process (main + workers): the work a step costs, whatever the load.
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  tensors.push(tf.memory().numTensors);
  if (i >= warmup) {
    times.push(ms);
    cpuTimes.push(cpuMs);
    criticalPaths.push(criticalPath);
  }
  emit({
    figure: 'step',
    step: i,
    ms: Math.round(ms),
    cpuMs: Math.round(cpuMs),
    mainCpuMs: mainCpu,
    busiestOtherThreadCpuMs: otherMax,
    loss,
    warmup: i < warmup,
    loadavg: +os.loadavg()[0].toFixed(2),
  });
}
const medianOf = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const median = medianOf(times);
emit({
  figure: 'summary',
  msPerStep: Math.round(median),
  samplesPerSecond: Number(((1000 * batch) / median).toFixed(2)),
  cpuMsPerStep: Math.round(medianOf(cpuTimes)),
  criticalPathCpuMsPerStep: medianOf(criticalPaths),
  measuredSteps: times.length,
  warmupSteps: warmup,
  weights: model.variables().reduce((n, v) => n + v.variable.size, 0),
  frames,
  workerSetup:
    workers > 1
      ? (workerSetup ?? defaultWorkerSetup('wasm')).map((u) =>
          u.replace(/^file:.*?\/(packages|node_modules)\//, '$1/'),
        )
      : [],
  tensorsConstant: new Set(tensors.slice(warmup)).size <= 1,
  peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  loadavg: os.loadavg().map((x) => +x.toFixed(2)),
  cpus: os.cpus().length,
});
trainer.dispose();
model.dispose();
