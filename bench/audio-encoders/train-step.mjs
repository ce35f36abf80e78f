// Train-step time (forward + backward, batch 32) of an audio encoder on a tfjs backend.
// Usage (after the build): node bench/audio-encoders/train-step.mjs <wasm|cpu> [encoder] [steps] [json config overrides]
// e.g.   node bench/audio-encoders/train-step.mjs wasm cnn-small 10 '{"channels":[16,32,64,128]}'
// PROFILE=1 also prints where one step's kernel time goes (tf.profile).
import * as tf from '@tensorflow/tfjs-core';
import { Rng, selectBackend } from '@clapjs/core';
import { CnnAudioEncoder } from '@clapjs/audio-encoders';

const [backend = 'wasm', name = 'cnn-small', stepsArg = '10', overrides = '{}'] =
  process.argv.slice(2);
const steps = Number(stepsArg);
// The 'fast' preset of @clapjs/audio: 2 s at 16 kHz, hop 256 → 126 frames × 64 mel bins.
const [batch, frames, mels] = [32, 126, 64];
await selectBackend(backend);
const encoder = new CnnAudioEncoder(
  { name, ...JSON.parse(overrides) },
  { melBins: mels, rng: new Rng(0) },
);
const trainable = encoder
  .variables()
  .filter((v) => v.trainable)
  .map((v) => v.variable);
const rng = new Rng(1);
const input = tf.tensor4d(rng.normalArray(batch * frames * mels), [batch, frames, mels, 1]);
const step = () => {
  const { value, grads } = tf.variableGrads(
    () => tf.mean(tf.square(encoder.encode(input, { training: true }))),
    trainable,
  );
  value.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
};
step();
const times = [];
for (let i = 0; i < steps; i++) {
  const t0 = performance.now();
  step();
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
if (process.env.PROFILE) {
  const info = await tf.profile(step);
  const byKernel = {};
  for (const k of info.kernels) byKernel[k.name] = (byKernel[k.name] ?? 0) + k.kernelTimeMs;
  const top = Object.entries(byKernel)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12);
  console.log(
    JSON.stringify({ profileMs: Object.fromEntries(top.map(([k, v]) => [k, +v.toFixed(1)])) }),
  );
}
const params = trainable.reduce((n, v) => n + v.size, 0);
console.log(
  JSON.stringify({
    backend,
    name,
    overrides: JSON.parse(overrides),
    params,
    batch,
    input: [batch, frames, mels, 1],
    medianMs: +times[Math.floor(times.length / 2)].toFixed(1),
    minMs: +times[0].toFixed(1),
    steps,
    date: new Date().toISOString(),
  }),
);
