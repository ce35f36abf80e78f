// The default clapjs model's training step (apps/train/configs/default.yaml's model, or the tiny
// config's) on the CLI's CPU route, as `clapjs train` runs it: symmetric CLAP loss, gradients of
// every trainable variable, their global norm read back, clipping to norm 1, the trainer's AdamW
// (@clapjs/trainer's AdamOptimizer), the logit-scale clamp. Dropout is 0 in every part so that
// PyTorch (default_model.py), started from the same weights on the same batch, must give the same
// losses. One JSON line per figure.
// Usage: node default_model.mjs <native|wasm> <default|tiny> <batch> <measuredSteps> <warmupSteps> [profile|export DIR]
//   (A/B and profiling switches: DEFAULT_MODEL_UNFUSED_ADAM, DEFAULT_MODEL_UNREGISTER, DEFAULT_MODEL_CPU_PROFILE below)
//   native: wasm + @clapjs/kernels-native (the CLI's route where libdnnl-dev is installed)
//   wasm:   wasm + @clapjs/kernels-wasm (the route without the addon, and in browsers)
//   export DIR: writes the initial weights, the batch and the optimizer settings for the peer
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ADAM_UPDATE_KERNEL, Rng, kernelPackStatuses, selectBackend } from '@clapjs/core';
import { ClapModel, defaultModelConfig } from '@clapjs/model';
import { summarizeProfile } from '../profile.mjs';
import { WORDS, benchConfig, OPTIMIZER } from './config.mjs';

const [
  route = 'native',
  configName = 'default',
  batchArg = '16',
  stepsArg = '10',
  warmupArg = '2',
  mode = '',
  exportDir = '',
] = process.argv.slice(2);
const batch = Number(batchArg);

await selectBackend('wasm');
// Not dependencies of bench/ (the addon is an optional native build): the workspace's dist.
const packages = new URL('../../packages/', import.meta.url);
if (route === 'native') await import(new URL('kernels-native/dist/register.js', packages).href);
else await import(new URL('kernels-wasm/dist/register.js', packages).href);
const { AdamOptimizer, globalNorm } = await import(new URL('trainer/dist/index.js', packages).href);
const { symmetricClapLoss } = await import(new URL('losses/dist/index.js', packages).href);
const packs = kernelPackStatuses('wasm');
// A/B switches: the optimizer's tfjs ops instead of the pack's fused Adam kernel; any fused
// kernels named in DEFAULT_MODEL_UNREGISTER (e.g. ClapjsGelu,ClapjsGeluGrad) unregistered, so that
// the parts fall back to their tfjs ops.
if (process.env.DEFAULT_MODEL_UNFUSED_ADAM === '1') tf.unregisterKernel(ADAM_UPDATE_KERNEL, 'wasm');
for (const name of (process.env.DEFAULT_MODEL_UNREGISTER ?? '').split(',').filter(Boolean))
  if (tf.getKernel(name, 'wasm') !== undefined) tf.unregisterKernel(name, 'wasm');
const nativeLoaded = packs.some((p) => p.name === '@clapjs/kernels-native' && p.loaded);
const engine =
  route === 'native'
    ? nativeLoaded
      ? 'tfjs-wasm+kernels-native'
      : 'tfjs-wasm+kernels-wasm (native not loaded)'
    : 'tfjs-wasm+kernels-wasm';

function emit(record) {
  console.log(
    JSON.stringify({ bench: 'default-model', config: configName, engine, batch, ...record }),
  );
}

const captions = Array.from(
  { length: batch },
  (_, i) =>
    `a ${WORDS[i % WORDS.length]} and a ${WORDS[(i * 5 + 3) % WORDS.length]} ${WORDS[(i * 3 + 1) % WORDS.length]}`,
);
const config = benchConfig(configName, defaultModelConfig());
const model = await ClapModel.create(config, { seed: 1, captions });
const audio = model.config.audio;
const frames = model.frontEnd.frames(Math.round(audio.clipSeconds * audio.sampleRate));
const melBins = audio.nMels;
const logMelData = Float32Array.from(new Rng(3).normalArray(batch * frames * melBins));
const logMel = tf.tensor4d(logMelData, [batch, frames, melBins, 1]);
const tokens = model.tokenize(captions);
const named = model.variables();
const optimizer = new AdamOptimizer(named, OPTIMIZER);
const trainable = optimizer.variables.map((v) => v.variable);

/** One step of Trainer.trainStep (workers: 1), at a constant learning rate. */
async function step() {
  const { value, grads } = tf.tidy(() =>
    tf.variableGrads(
      () => symmetricClapLoss(model.forward(logMel, tokens, { training: true }).logits),
      trainable,
    ),
  );
  const gradList = Object.values(grads);
  const norm = globalNorm(gradList);
  const [lossData, normData] = await Promise.all([value.data(), norm.data()]);
  const scale = normData[0] > OPTIMIZER.clipNorm ? OPTIMIZER.clipNorm / (normData[0] + 1e-6) : 1;
  optimizer.apply(grads, OPTIMIZER.lr, scale);
  model.afterUpdate();
  tf.dispose([value, norm, ...gradList]);
  return lossData[0];
}

if (mode === 'export') {
  // Every weight (BatchNorm statistics too) under its clapjs path, then the batch.
  mkdirSync(exportDir, { recursive: true });
  const chunks = [];
  let offset = 0;
  const add = (data) => {
    const f32 = Float32Array.from(data);
    chunks.push(Buffer.from(f32.buffer));
    offset += f32.length;
    return offset - f32.length;
  };
  const decays = new Set(optimizer.variables.filter((v) => v.decay).map((v) => v.path));
  const variables = named.map((v) => ({
    path: v.path,
    shape: v.variable.shape,
    trainable: v.trainable,
    decay: decays.has(v.path),
    offset: add(v.variable.dataSync()),
  }));
  const meta = {
    config: model.config,
    frames,
    melBins,
    variables,
    logMel: { shape: [batch, frames, melBins, 1], offset: add(logMelData) },
    ids: Array.from(tokens.ids.dataSync()),
    mask: Array.from(tokens.mask.dataSync()),
    tokenShape: tokens.ids.shape,
    optimizer: OPTIMIZER,
  };
  writeFileSync(join(exportDir, 'weights.bin'), Buffer.concat(chunks));
  writeFileSync(join(exportDir, 'meta.json'), JSON.stringify(meta));
  emit({ figure: 'export', dir: exportDir, variables: variables.length });
} else if (mode === 'profile') {
  // DEFAULT_MODEL_CPU_PROFILE=1: each kernel timed by the process's CPU time instead of wall time
  // (steadier on a loaded machine; with one oneDNN thread it is the kernel's own time).
  if (process.env.DEFAULT_MODEL_CPU_PROFILE === '1') {
    tf.backend().time = async (f) => {
      const start = process.cpuUsage();
      f();
      const used = process.cpuUsage(start);
      return { kernelMs: (used.user + used.system) / 1000 };
    };
  }
  await step();
  const info = await tf.profile(() => step());
  const { totalKernelMs, kernels, calls } = await summarizeProfile(info);
  emit({
    figure: 'profile',
    kernelCalls: info.kernels.length,
    totalKernelMs: Math.round(totalKernelMs),
    kernels: kernels.slice(0, 20).map((k) => ({ ...k, ms: Math.round(k.ms) })),
    slowestCalls: calls.slice(0, 12),
    ...(process.env.DEFAULT_MODEL_CALLS
      ? { calls: calls.filter((c) => process.env.DEFAULT_MODEL_CALLS.split(',').includes(c.name)) }
      : {}),
  });
} else {
  const times = [];
  const cpuTimes = [];
  const tensors = [];
  const losses = [];
  for (let i = 0; i < Number(warmupArg) + Number(stepsArg); i++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    losses.push(await step());
    const ms = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    tensors.push(tf.memory().numTensors);
    if (i >= Number(warmupArg)) {
      times.push(ms);
      cpuTimes.push((cpu.user + cpu.system) / 1000);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  emit({
    figure: 'summary',
    msPerStep: +median(times).toFixed(1),
    // CPU time of the whole process (every thread): steadier than wall time on a loaded machine.
    cpuMsPerStep: +median(cpuTimes).toFixed(1),
    samplesPerSecond: +((1000 * batch) / median(times)).toFixed(2),
    stepMs: times.map((t) => Math.round(t)),
    losses,
    tensorsAfterEachStep: tensors,
    tensorsConstant: new Set(tensors).size === 1,
    weights: trainable.reduce((n, v) => n + v.size, 0),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    cpus: os.cpus().length,
  });
}
