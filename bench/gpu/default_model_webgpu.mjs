// The default clapjs model's training step (@clapjs/model's defaultModelConfig(), which is
// apps/train/configs/default.yaml's model: cnn-small, a 2-layer transformer, MLP projections,
// cosine similarity) on tfjs's WebGPU backend, with or without @clapjs/kernels-webgpu. The step is
// the trainer's (`clapjs train`): symmetric CLAP loss, gradients of every trainable variable,
// their global norm (clipped to 1), Adam. Log-mels are random (the CLI computes them on the CPU).
// One JSON line per figure, as clap_mini_webgpu.mjs.
// Usage: node default_model_webgpu.mjs <pack|nopack> <batch> <measuredSteps> <warmupSteps> [profile]
// DEFAULT_MODEL_CLIP_SECONDS (default 2, the config's) shortens the clips for a SwiftShader smoke test.
import './dawn.mjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import { Rng, selectBackend } from '@clapjs/core';
import { registerWebgpuKernels } from '@clapjs/kernels-webgpu';
import { ClapModel, defaultModelConfig } from '@clapjs/model';
import { summarizeProfile } from '../profile.mjs';

const [packArg = 'pack', batchArg = '32', stepsArg = '10', warmupArg = '2', profileArg = ''] =
  process.argv.slice(2);
const pack = packArg !== 'nopack';
const batch = Number(batchArg);
const clipSeconds = Number(process.env.DEFAULT_MODEL_CLIP_SECONDS ?? 2);
const engine = `tfjs-webgpu${pack ? '+kernels-webgpu' : ' (no pack but its AddN fix)'}`;

const selection = await selectBackend('webgpu');
// Without the pack, tfjs-webgpu's AddN cannot sum the 60-odd squared gradient norms (it binds one
// buffer per input, 7 at most): `kernels: []` registers only that fix.
registerWebgpuKernels(pack ? {} : { kernels: [] });
const backend = tf.backend();

function emit(record) {
  console.log(JSON.stringify({ bench: 'default-model', engine, clipSeconds, ...record }));
}

const WORDS = [
  'dog',
  'rain',
  'piano',
  'siren',
  'engine',
  'bird',
  'bell',
  'drum',
  'voice',
  'wind',
  'rising',
  'falling',
  'loud',
  'soft',
];
const captions = Array.from(
  { length: batch },
  (_, i) => `a ${WORDS[i % 14]} and a ${WORDS[(i * 5 + 3) % 14]} ${WORDS[(i * 3 + 1) % 14]}`,
);
const config = defaultModelConfig();
if (clipSeconds !== 2) config.audio = { ...config.audio, clipSeconds };
const model = await ClapModel.create(config, { seed: 1, captions });
const frames = model.frontEnd.frames(Math.round(clipSeconds * model.config.audio.sampleRate));
const rng = new Rng(3);
const logMel = tf.tensor4d(Float32Array.from(rng.normalArray(batch * frames * 64)), [
  batch,
  frames,
  64,
  1,
]);
const tokens = model.tokenize(captions);
const trainable = model
  .variables()
  .filter((v) => v.trainable)
  .map((v) => v.variable);
const optimizer = tf.train.adam(1e-3);

// symmetric-clap: ½ (cross-entropy over the rows of C + over its columns), targets on the diagonal.
function symmetricLoss(logits) {
  const targets = tf.eye(logits.shape[0]);
  const rowLoss = (c) => tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(c)), 1)));
  return tf.mul(tf.add(rowLoss(logits), rowLoss(tf.transpose(logits))), 0.5);
}

async function step() {
  const { value, grads } = tf.variableGrads(
    () => symmetricLoss(model.forward(logMel, tokens, { training: true }).logits),
    trainable,
  );
  const list = Object.values(grads);
  const norm = tf.tidy(() => tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g))))));
  const [loss, n] = await Promise.all([value.data(), norm.data()]);
  const scale = n[0] > 1 ? 1 / n[0] : 1;
  const scaled = tf.tidy(() =>
    Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, scale)])),
  );
  optimizer.applyGradients(scaled);
  model.afterUpdate();
  tf.dispose([value, norm, ...list, ...Object.values(scaled)]);
  return loss[0];
}

function finish(code = 0) {
  // Dawn can abort at exit after the work is done
  // (docs/engineering-notes.md, "WebGPU in Node: Dawn at exit"): destroy the device first.
  backend.device?.destroy?.();
  process.exitCode = code;
}

try {
  if (profileArg === 'profile') {
    await step();
    const start = performance.now();
    const info = await tf.profile(() => step());
    const wallMs = performance.now() - start;
    const { totalKernelMs, kernels, calls } = await summarizeProfile(info);
    emit({
      figure: 'profile',
      batch,
      wallMs: Math.round(wallMs),
      kernelCalls: info.kernels.length,
      totalKernelMs,
      kernels: kernels.slice(0, 15),
      slowestCalls: calls.slice(0, 10),
    });
  } else {
    const times = [];
    const tensors = [];
    const losses = [];
    for (let i = 0; i < Number(warmupArg) + Number(stepsArg); i++) {
      const start = performance.now();
      losses.push(+(await step()).toFixed(6));
      const ms = performance.now() - start;
      tensors.push(tf.memory().numTensors);
      if (i >= Number(warmupArg)) times.push(ms);
    }
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    emit({
      figure: 'summary',
      batch,
      msPerStep: +median.toFixed(1),
      samplesPerSecond: +((1000 * batch) / median).toFixed(1),
      stepMs: times.map((t) => Math.round(t)),
      losses,
      tensorsAfterEachStep: tensors, // Adam creates its moments in the first step.
      tensorsConstant: new Set(tensors.slice(1)).size <= 1,
      weights: trainable.reduce((n, v) => n + v.size, 0),
      backend: selection.attempts.at(-1)?.reason,
      adapter: backend.adapterInfo ?? {},
    });
  }
  finish();
} catch (error) {
  emit({ figure: 'error', batch, message: String(error?.message ?? error).split('\n')[0] });
  finish(1);
}
