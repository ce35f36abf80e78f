// Measures on the tfjs wasm backend: (1) attention (scores, softmax, context) forward +
// backward in three matMul formulations, (2) one training step of each text encoder.
// Run after the build: node bench/text-encoders/measure-wasm.mjs
// WASM_PATHS=<dir/> points tfjs-backend-wasm at its .wasm files when this script is bundled.
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { Rng, create, selectBackend } from '@clapjs/core';
import '@clapjs/text-encoders/register';
import { batchMatMul, transposeLastTwo } from '@clapjs/text-encoders';

if (process.env.WASM_PATHS) setWasmPaths(process.env.WASM_PATHS);
await selectBackend('wasm');
const REPEATS = Number(process.env.REPEATS ?? 5);

// The minimum over interleaved repeats, of wall time and of this process's CPU time (user +
// system): on a shared, loaded machine CPU time is the steadier figure (wasm runs one thread).
function measure(variants, repeats = REPEATS) {
  const best = {};
  for (let round = 0; round <= repeats; round++) {
    for (const [label, fn] of Object.entries(variants)) {
      const start = performance.now();
      const cpu = process.cpuUsage();
      fn();
      const { user, system } = process.cpuUsage(cpu);
      const wall = performance.now() - start;
      if (round === 0) continue; // warm-up
      const prev = best[label] ?? { wall: Infinity, cpu: Infinity };
      best[label] = {
        wall: Math.min(prev.wall, wall),
        cpu: Math.min(prev.cpu, (user + system) / 1000),
      };
    }
  }
  for (const [label, { wall, cpu }] of Object.entries(best)) {
    console.log(
      `${cpu.toFixed(1).padStart(9)} ms CPU ${wall.toFixed(1).padStart(9)} ms wall  ${label}`,
    );
  }
}

// a · bᵀ with b stored [.., N, K]: tfjs-wasm's batched (non-XNNPACK) loop then reads both
// operands contiguously along K. Gradients keep the same form, with materialised transposes.
const mmNT = tf.customGrad((a, b, save) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b, false, true),
    gradFunc: (dy, [sa, sb]) => [
      tf.matMul(dy, transposeLastTwo(sb), false, true),
      tf.matMul(transposeLastTwo(dy), transposeLastTwo(sa), false, true),
    ],
  };
});

const [B, H, L, D] = [32, 4, 32, 64];
const rng = new Rng(0);
const q = tf.tensor4d(rng.normalArray(B * H * L * D), [B, H, L, D]);
const k = tf.tensor4d(rng.normalArray(B * H * L * D), [B, H, L, D]);
const v = tf.tensor4d(rng.normalArray(B * H * L * D), [B, H, L, D]);
const run = (f) => () =>
  tf.tidy(() =>
    tf
      .grads(f)([q, k, v])
      .map((g) => g.dataSync()),
  );
console.log(
  `attention [B=${B}, H=${H}, L=${L}, D=${D}], forward + backward (tfjs-wasm, 1 thread):`,
);
measure({
  'tf.matMul(q, k, false, true), tf.matMul(p, v), built-in gradients': run((a, b, c) =>
    tf.sum(tf.matMul(tf.softmax(tf.matMul(a, b, false, true)), c)),
  ),
  'batchMatMul(q, kᵀ materialised), batchMatMul(p, v) (plain forms)': run((a, b, c) =>
    tf.sum(batchMatMul(tf.softmax(batchMatMul(a, transposeLastTwo(b))), c)),
  ),
  'mmNT(q, k), mmNT(p, vᵀ) (contiguous K for both operands)': run((a, b, c) =>
    tf.sum(mmNT(tf.softmax(mmNT(a, b)), transposeLastTwo(c))),
  ),
});

const tokens = {
  ids: tf.tensor2d(Int32Array.from(rng.uniformArray(B * L, 0, 5000), Math.floor), [B, L], 'int32'),
  mask: tf.ones([B, L]),
};
for (const config of [
  { name: 'transformer', layers: 4, width: 256, heads: 4, norm: 'pre', pooling: 'mean' },
  { name: 'bag-of-embeddings', width: 256 },
]) {
  const encoder = create('text-encoder', config, {
    vocabSize: 5000,
    maxLength: L,
    rng: new Rng(1),
  });
  const optimizer = tf.train.adam(1e-4);
  const step = () =>
    tf.dispose(
      optimizer.minimize(
        () => tf.mean(tf.square(encoder.encode(tokens, { training: true }))),
        true,
      ),
    );
  console.log(
    `train step (adam), batch ${B} × ${L} tokens, vocab 5000, ${JSON.stringify(config)}:`,
  );
  measure({ step }, 3);
  const profile = await tf.profile(step);
  const byKernel = new Map();
  for (const kernel of profile.kernels) {
    const key =
      kernel.name === 'BatchMatMul' && kernel.inputShapes[0].length > 2
        ? 'BatchMatMul (batched, attention)'
        : kernel.name;
    byKernel.set(key, (byKernel.get(key) ?? 0) + kernel.kernelTimeMs);
  }
  const top = [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 6);
  console.log(`  kernels (ms): ${top.map(([n, ms]) => `${n} ${ms.toFixed(0)}`).join(', ')}`);
  encoder.dispose();
  optimizer.dispose();
}
