// Compute dispatches per training step of the default clapjs model (@clapjs/model's
// defaultModelConfig()) on tfjs-webgpu, counted at the WebGPU API (every dispatchWorkgroups call,
// the pack's own shaders included): the trainer's step (gradients of every trainable variable,
// globalNorm, @clapjs/trainer's AdamOptimizer) with
// - `nopack`: tfjs-webgpu's kernels (and the pack's AddN fix, without which the norm fails);
// - `before`: the pack without its fused Adam update and UnsortedSegmentSum;
// - `after`: the whole pack.
// Counts, not speed: runs on SwiftShader here with small settings. One JSON line per mode.
// Usage: VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json \
//   node bench/gpu/dispatch_count.mjs [batch=4] [clipSeconds=0.5] [modes=nopack,before,after]
import './dawn.mjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import { ADAM_UPDATE_KERNEL, Rng, selectBackend } from '@clapjs/core';
import { registerWebgpuKernels, WEBGPU_PACK_KERNELS } from '@clapjs/kernels-webgpu';
import { ClapModel, defaultModelConfig } from '@clapjs/model';
// bench does not depend on the trainer package; its build is read from the workspace.
import { AdamOptimizer, globalNorm } from '../../packages/trainer/dist/index.js';

const [batchArg = '4', clipArg = '0.5', modesArg = 'nopack,before,after'] = process.argv.slice(2);
const batch = Number(batchArg);
const clipSeconds = Number(clipArg);

let dispatches = 0;
const encoder = globalThis.GPUComputePassEncoder.prototype;
const dispatch = encoder.dispatchWorkgroups;
encoder.dispatchWorkgroups = function (...args) {
  dispatches += 1;
  return dispatch.apply(this, args);
};

await selectBackend('webgpu');
const adamKernel = tf.getKernel(ADAM_UPDATE_KERNEL, 'webgpu');

function use(mode) {
  const kernels =
    mode === 'nopack'
      ? []
      : WEBGPU_PACK_KERNELS.filter((k) => mode === 'after' || k !== 'UnsortedSegmentSum');
  registerWebgpuKernels({ kernels });
  const adam = tf.getKernel(ADAM_UPDATE_KERNEL, 'webgpu');
  if (mode !== 'after' && adam !== undefined) tf.unregisterKernel(ADAM_UPDATE_KERNEL, 'webgpu');
  if (mode === 'after' && adam === undefined) tf.registerKernel(adamKernel);
}

function symmetricLoss(logits) {
  const targets = tf.eye(logits.shape[0]);
  const rowLoss = (c) => tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(c)), 1)));
  return tf.mul(tf.add(rowLoss(logits), rowLoss(tf.transpose(logits))), 0.5);
}

const WORDS = ['dog', 'rain', 'piano', 'siren', 'engine', 'bird', 'bell', 'drum'];
const captions = Array.from(
  { length: batch },
  (_, i) => `a ${WORDS[i % 8]} and a ${WORDS[(i * 3 + 1) % 8]}`,
);
const config = defaultModelConfig();
config.audio = { ...config.audio, clipSeconds };

async function count(mode) {
  use(mode);
  const model = await ClapModel.create(config, { seed: 1, captions });
  const frames = model.frontEnd.frames(Math.round(clipSeconds * model.config.audio.sampleRate));
  const logMel = tf.tensor4d(Float32Array.from(new Rng(3).normalArray(batch * frames * 64)), [
    batch,
    frames,
    64,
    1,
  ]);
  const tokens = model.tokenize(captions);
  const named = model.variables().filter((v) => v.trainable);
  const optimizer = new AdamOptimizer(named, {
    kind: 'adamw',
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
    weightDecay: 0.01,
  });
  const figures = [];
  for (let i = 0; i < 2; i++) {
    await tf.backend().device.queue.onSubmittedWorkDone();
    const start = dispatches;
    const { value, grads } = tf.variableGrads(
      () => symmetricLoss(model.forward(logMel, tokens, { training: true }).logits),
      named.map((v) => v.variable),
    );
    const list = Object.values(grads);
    const norm = globalNorm(list);
    const [loss, n] = await Promise.all([value.data(), norm.data()]);
    const beforeUpdate = dispatches;
    optimizer.apply(grads, 1e-3, n[0] > 1 ? 1 / n[0] : 1);
    model.afterUpdate();
    const w = await named[0].variable.data(); // waits for the update
    figures.push({
      loss: +loss[0].toFixed(6),
      gradientsAndNorm: beforeUpdate - start,
      update: dispatches - beforeUpdate,
      step: dispatches - start,
      firstWeight: w[0],
    });
    tf.dispose([value, norm, ...list]);
  }
  const second = figures[1];
  console.log(
    JSON.stringify({
      bench: 'dispatch-count',
      mode,
      batch,
      clipSeconds,
      variables: named.length,
      dispatchesPerStep: second.step,
      gradientsAndNorm: second.gradientsAndNorm,
      optimizerUpdate: second.update,
      losses: figures.map((f) => f.loss),
    }),
  );
  optimizer.dispose();
  model.dispose();
  logMel.dispose();
}

try {
  for (const mode of modesArg.split(',')) await count(mode);
} finally {
  tf.backend().device?.destroy?.();
}
