// HTSAT-tiny's windowed attention matMuls as its encoder runs them (window 8 → 64 tokens, head dim
// 24: dims 96/192/384/768 over 4/8/16/32 heads; q·kᵀ with kᵀ materialised, then attention·v) at a clip batch, on tfjs-wasm alone and with @clapjs/kernels-wasm's
// batched route. Prints one JSON line per shape: ms per call, median of the measured calls.
// Usage: node attention-matmul.mjs [clipBatch] [measured]
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { Rng, selectBackend } from '@clapjs/core';
import { registerWasmKernels } from '@clapjs/kernels-wasm';

const [batchArg = '1', measuredArg = '5'] = process.argv.slice(2);
const clips = Number(batchArg);
const measured = Number(measuredArg);
// [windows per clip, heads] per Swin stage (64×64 → 8×8 patches, window 8, head dim 24).
const STAGES = [
  [64, 4],
  [16, 8],
  [4, 16],
  [1, 32],
];
const [tokens, headDim] = [64, 24];

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(a, b) {
  const times = [];
  for (let rep = 0; rep < measured + 1; rep++) {
    const start = performance.now();
    // The wasm backend runs kernels synchronously: the call is the work (reading the result back
    // would add a copy the encoder never makes).
    tf.matMul(a, b).dispose();
    if (rep > 0) times.push(performance.now() - start);
  }
  return median(times);
}

await selectBackend('wasm');
const rng = new Rng(0);
const shapes = STAGES.map(([windows, heads], stage) => {
  const batch = clips * windows * heads;
  const q = tf.tensor3d(rng.normalArray(batch * tokens * headDim), [batch, tokens, headDim]);
  const k = tf.tensor3d(rng.normalArray(batch * tokens * headDim), [batch, headDim, tokens]);
  const p = tf.tensor3d(rng.normalArray(batch * tokens * tokens), [batch, tokens, tokens]);
  return { stage: stage + 1, batch, q, k, p };
});
const results = {};
for (const route of ['tfjs-wasm', 'tfjs-wasm+kernels-wasm']) {
  if (route !== 'tfjs-wasm') registerWasmKernels();
  for (const { stage, batch, q, k, p } of shapes) {
    const scores = time(q, k);
    const mix = time(p, q);
    results[`${route}/${stage}`] = scores + mix;
    console.log(
      JSON.stringify({
        bench: 'htsat-attention-matmul',
        engine: route,
        clips,
        stage,
        batch,
        'q·kᵀ ms': +scores.toFixed(2),
        'attn·v ms': +mix.toFixed(2),
      }),
    );
  }
}
for (const { stage } of shapes) {
  const speedup = results[`tfjs-wasm/${stage}`] / results[`tfjs-wasm+kernels-wasm/${stage}`];
  console.log(
    JSON.stringify({ bench: 'htsat-attention-matmul', clips, stage, speedup: +speedup.toFixed(2) }),
  );
}
