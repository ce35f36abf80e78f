// CLAP-mini (bench/README.md) on tfjs's WebGPU backend, with or without @clapjs/kernels-webgpu.
// One configuration per process. Prints one JSON line per figure.
// Usage: node clap_mini_webgpu.mjs <pack|nopack|pack-mm-dw|pack-fused-loss> <batch> <measuredSteps> <warmupSteps> [profile]
//        node clap_mini_webgpu.mjs <pack|nopack> matmul <size>      (an n³ fp32 matMul rate)
import './dawn.mjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import { Rng, selectBackend } from '@clapjs/core';
import { registerWebgpuKernels } from '@clapjs/kernels-webgpu';
import { symmetricClapLoss } from '@clapjs/losses';
import { buildClapMini } from '../clap-mini/model.mjs';
import { summarizeProfile } from '../profile.mjs';

const [packArg = 'pack', batchArg = '64', stepsArg = '10', warmupArg = '2', profileArg = ''] =
  process.argv.slice(2);
// pack-mm-dw: only BatchMatMul and Conv2DBackpropFilter from the pack, tfjs's own convolutions.
// pack-fused-loss: the whole pack, the loss as @clapjs/losses' symmetricClapLoss (which runs the
// pack's fused cross-entropy kernels) instead of two tf.losses.softmaxCrossEntropy calls.
const packKernels = { 'pack-mm-dw': ['BatchMatMul', 'Conv2DBackpropFilter'] }[packArg];
const fusedLoss = packArg === 'pack-fused-loss';
const pack = packArg !== 'nopack';
const submitBatch = Number(process.env.WEBGPU_SUBMIT_BATCH ?? 0);
// tfjs-webgpu's own flag: how many dispatches it records before submitting (default 15).
if (submitBatch > 0) tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', submitBatch);
const engine = `tfjs-webgpu${pack ? `+kernels-webgpu${packKernels ? ` (${packKernels.join(', ')} only)` : ''}${fusedLoss ? ' + fused loss' : ''}` : ' (no pack)'}${submitBatch > 0 ? `, submit every ${submitBatch}` : ''}`;

const selection = await selectBackend('webgpu');
if (pack) registerWebgpuKernels({ kernels: packKernels });
const backend = tf.backend();
const adapterInfo = backend.adapterInfo ?? {};

function emit(record) {
  console.log(JSON.stringify({ bench: 'clap-mini', engine, ...record }));
}

function finish(code = 0) {
  // Dawn can abort at exit after the work is done
  // (docs/engineering-notes.md, "WebGPU in Node: Dawn at exit"): destroy the device first.
  backend.device?.destroy?.();
  process.exitCode = code;
}

if (batchArg === 'matmul') {
  const n = Number(stepsArg);
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  for (let i = 0; i < 2; i++) {
    const w = tf.matMul(a, b);
    await w.data();
    w.dispose();
  }
  const reps = 10;
  const start = performance.now();
  const outs = [];
  for (let i = 0; i < reps; i++) outs.push(tf.matMul(a, b));
  await outs[reps - 1].data();
  tf.dispose(outs);
  const ms = (performance.now() - start) / reps;
  emit({
    figure: 'matmul',
    size: n,
    msPerMatmul: +ms.toFixed(2),
    tflops: +((2 * n ** 3) / ms / 1e9).toFixed(2),
    adapter: adapterInfo,
  });
  finish();
} else {
  const batch = Number(batchArg);
  const steps = Number(stepsArg);
  const warmup = Number(warmupArg);
  const model = buildClapMini(tf, new Rng(1), batch, fusedLoss ? symmetricClapLoss : undefined);
  const optimizer = tf.train.adam(1e-4);
  const step = () => optimizer.minimize(model.loss, true, model.variables);
  try {
    if (profileArg === 'profile') {
      tf.dispose(step());
      const start = performance.now();
      const info = await tf.profile(async () => {
        const c = step();
        await c.data();
        tf.dispose(c);
      });
      const wallMs = performance.now() - start;
      const { totalKernelMs, kernels } = await summarizeProfile(info);
      emit({
        figure: 'profile',
        batch,
        wallMs: Math.round(wallMs),
        kernelCalls: info.kernels.length,
        totalKernelMs,
        kernels: kernels.slice(0, 12),
      });
    } else {
      const times = [];
      const tensors = [];
      const losses = [];
      for (let i = 0; i < warmup + steps; i++) {
        const start = performance.now();
        const cost = step();
        const value = (await cost.data())[0];
        cost.dispose();
        const ms = performance.now() - start;
        losses.push(+value.toFixed(6));
        tensors.push(tf.memory().numTensors);
        if (i >= warmup) times.push(ms);
      }
      const sorted = [...times].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)];
      emit({
        figure: 'summary',
        batch,
        msPerStep: +median.toFixed(1),
        samplesPerSecond: +((1000 * batch) / median).toFixed(1),
        measuredSteps: steps,
        warmupSteps: warmup,
        stepMs: times.map((t) => Math.round(t)),
        losses,
        tensorsAfterEachStep: tensors,
        tensorsConstant: new Set(tensors.slice(1)).size <= 1,
        peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
        backend: selection.attempts.at(-1)?.reason,
        adapter: adapterInfo,
      });
    }
    finish();
  } catch (error) {
    emit({ figure: 'error', batch, message: String(error?.message ?? error).split('\n')[0] });
    finish(1);
  }
}
