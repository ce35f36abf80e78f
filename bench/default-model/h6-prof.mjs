// The default clapjs model's training step (apps/train/configs/default.yaml's model, or the tiny
// config's) on the CLI's CPU route, as `clapjs train` runs it: symmetric CLAP loss, gradients of
// every trainable variable, their global norm read back, clipping to norm 1, the trainer's AdamW
// (@clapjs/trainer's AdamOptimizer), the logit-scale clamp. Dropout is 0 in every part so that
// PyTorch (default_model.py), started from the same weights on the same batch, must give the same
// losses. One JSON line per figure.
// Usage: node default_model.mjs <native|wasm> <default|tiny> <batch> <measuredSteps> <warmupSteps> [profile|export DIR]
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
// A/B switch: the optimizer's tfjs ops instead of the pack's fused Adam kernel.
if (process.env.DEFAULT_MODEL_UNFUSED_ADAM === '1') tf.unregisterKernel(ADAM_UPDATE_KERNEL, 'wasm');
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


await step(); await step();
const per = new Map();
const N = Number(process.env.PROF_STEPS ?? 6);
const shapes = new Map();
for (let s = 0; s < N; s++) {
  const info = await tf.profile(() => step());
  const tot = new Map();
  for (const k of info.kernels) {
    const ms = Number(await k.kernelTimeMs) || 0;
    const e = tot.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += ms; e.calls++; tot.set(k.name, e);
    if (process.env.PROF_KERNEL && k.name === process.env.PROF_KERNEL) {
      const key = JSON.stringify(k.inputShapes);
      const x = shapes.get(key) ?? []; x.push(ms); shapes.set(key, x);
    }
  }
  for (const [n, e] of tot) { const x = per.get(n) ?? []; x.push(e); per.set(n, x); }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [...per].map(([n, xs]) => [n, med(xs.map((e) => e.ms)), xs[0].calls]).sort((a, b) => b[1] - a[1]);
let total = 0;
for (const [n, ms, c] of rows) { if (n !== 'unnamed scope' && n !== 'forward') total += ms; console.log(n.padEnd(28), ms.toFixed(2).padStart(7), String(c).padStart(5)); }
console.log('total (excl. scopes)', total.toFixed(1));
for (const [k, xs] of shapes) console.log(k, (med(xs)).toFixed(3), xs.length / N);
