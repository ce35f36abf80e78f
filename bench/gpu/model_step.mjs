// One Adam training step of a small ClapModel (@clapjs/model) on tfjs-webgpu with
// @clapjs/kernels-webgpu, against the same step on the cpu backend: loss, gradients' effect on
// every variable's gradient (≤ 1e-4·max|ref|), losses of 4 steps, tensors alive after each step.
// Runs on SwiftShader here: VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json node bench/gpu/model_step.mjs
import './dawn.mjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgpu';
import { Rng, selectBackend } from '@clapjs/core';
import { ClapModel } from '@clapjs/model';
import { registerWebgpuKernels } from '@clapjs/kernels-webgpu';

const CAPTIONS = ['a dog barks', 'rain on a roof', 'a piano chord', 'a low hum'];
const config = {
  audio: { preset: 'fast', clipSeconds: 0.5, nMels: 32 },
  audioEncoder: { name: 'cnn-small', channels: [8, 16], outputDim: 16 },
  textEncoder: { name: 'transformer', layers: 1, width: 16, heads: 2, dropout: 0 },
  tokenizer: { name: 'word', maxLength: 8 },
  audioProjection: { name: 'mlp', dim: 8 },
  textProjection: { name: 'mlp', dim: 8 },
  similarity: { name: 'cosine' },
  loss: { name: 'symmetric-clap' },
};

function clips() {
  const rng = new Rng(7);
  return CAPTIONS.map((_, i) =>
    Float32Array.from(
      { length: 8000 },
      (_, t) => 0.5 * Math.sin((2 * Math.PI * 220 * (i + 1) * t) / 16000) + 0.05 * rng.normal(),
    ),
  );
}

function symmetricLoss(logits) {
  const targets = tf.eye(logits.shape[0]);
  const rowLoss = (c) => tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(c)), 1)));
  return tf.mul(tf.add(rowLoss(logits), rowLoss(tf.transpose(logits))), 0.5);
}

async function run(backend) {
  await selectBackend(backend);
  if (backend === 'webgpu') registerWebgpuKernels();
  const model = await ClapModel.create(config, { seed: 1, captions: CAPTIONS });
  const logMel = model.logMelBatch(clips());
  const tokens = model.tokenize(CAPTIONS);
  const trainable = model.variables().filter((v) => v.trainable);
  const vars = trainable.map((v) => v.variable);
  const lossOf = () => symmetricLoss(model.forward(logMel, tokens, { training: true }).logits);
  const { value, grads: gradMap } = tf.variableGrads(lossOf, vars);
  const gradients = await Promise.all(vars.map((v) => gradMap[v.name].data()));
  tf.dispose([value, gradMap]);
  const optimizer = tf.train.adam(1e-3);
  const losses = [];
  const tensors = [];
  for (let i = 0; i < 4; i++) {
    const cost = optimizer.minimize(lossOf, true, vars);
    losses.push((await cost.data())[0]);
    cost.dispose();
    model.afterUpdate();
    tensors.push(tf.memory().numTensors);
  }
  const grads = trainable.map((v, i) => ({ name: v.path ?? v.name, values: gradients[i] }));
  optimizer.dispose();
  model.dispose();
  return { losses, tensors, grads };
}

const ref = await run('cpu');
const got = await run('webgpu');
// A gradient that is zero in exact arithmetic (an attention key bias: softmax ignores a shift)
// is float noise on both sides, so each tensor's scale has a floor of 1e-3 × the largest gradient.
const globalScale = Math.max(
  ...ref.grads.map((d) => d.values.reduce((m, x) => Math.max(m, Math.abs(x)), 0)),
);
let worst = { ratio: 0, name: '' };
for (let i = 0; i < ref.grads.length; i++) {
  const r = ref.grads[i].values;
  const g = got.grads[i].values;
  let scale = 1e-3 * globalScale,
    diff = 0;
  for (let j = 0; j < r.length; j++) {
    scale = Math.max(scale, Math.abs(r[j]));
    diff = Math.max(diff, Math.abs(g[j] - r[j]));
  }
  const ratio = diff / scale;
  if (ratio > worst.ratio) worst = { ratio, name: ref.grads[i].name };
}
const lossDiff = Math.abs(got.losses[0] - ref.losses[0]) / Math.abs(ref.losses[0]);
const ok = lossDiff <= 1e-4 && worst.ratio <= 1e-4 && new Set(got.tensors.slice(1)).size === 1;
console.log(
  JSON.stringify({
    bench: 'model-step',
    figure: 'webgpu-vs-cpu',
    ok,
    cpuLosses: ref.losses,
    webgpuLosses: got.losses,
    lossRelDiff: lossDiff,
    worstGradientRelDiff: worst,
    webgpuTensorsPerStep: got.tensors,
  }),
);
tf.backend().device?.destroy?.();
process.exitCode = ok ? 0 : 1;
