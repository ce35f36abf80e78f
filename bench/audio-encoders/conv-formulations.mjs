// Times the candidate gradient formulations of a stride-1 'same' conv on a tfjs backend (README
// "Formulations"). Usage: node bench/audio-encoders/conv-formulations.mjs [wasm|cpu]
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@clapjs/core';

await selectBackend(process.argv[2] ?? 'wasm');
const pad = (x, p) =>
  tf.pad(x, [
    [0, 0],
    [p, p],
    [p, p],
    [0, 0],
  ]);
const taps = (x, k) => {
  const [n, h, w, c] = x.shape;
  const padded = pad(x, (k - 1) / 2);
  const views = [];
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) views.push(tf.slice(padded, [0, i, j, 0], [n, h, w, c]));
  return views;
};
const rowsOf = (x) => x.shape[0] * x.shape[1] * x.shape[2];
const filterGradients = {
  // im2col: cols [N·H·W, k·k·Cin], dWᵀ = dyᵀ · cols (transpose materialised on dy).
  im2col: (x, dy, k) => {
    const cols = tf.reshape(tf.concat(taps(x, k), 3), [rowsOf(x), -1]);
    const dyT = tf.transpose(tf.reshape(dy, [rowsOf(x), -1]));
    return tf.reshape(tf.transpose(tf.matMul(dyT, cols)), [k, k, x.shape[3], dy.shape[3]]);
  },
  // One matMul per kernel tap, no concat.
  perTap: (x, dy, k) => {
    const dyT = tf.transpose(tf.reshape(dy, [rowsOf(x), -1]));
    const parts = taps(x, k).map((v) => tf.matMul(dyT, tf.reshape(v, [rowsOf(x), -1])));
    return tf.transpose(tf.reshape(tf.stack(parts), [k, k, dy.shape[3], x.shape[3]]), [0, 1, 3, 2]);
  },
  // What conv2d.ts does: a 'valid' conv with the batch as channels.
  batchAsChannels: (x, dy, k) =>
    tf.transpose(
      tf.conv2d(
        tf.transpose(pad(x, (k - 1) / 2), [3, 1, 2, 0]),
        tf.transpose(dy, [1, 2, 0, 3]),
        1,
        'valid',
      ),
      [1, 2, 0, 3],
    ),
};
const inputGradients = {
  conv2dTranspose: (dy, w, shape) => tf.conv2dTranspose(dy, w, shape, 1, 'same'),
  flippedConv: (dy, w) =>
    tf.conv2d(dy, tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]), 1, 'same'),
};
const time = (f, reps = 3) => {
  tf.dispose(tf.tidy(f));
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) tf.tidy(f).dataSync();
  return +((performance.now() - t0) / reps).toFixed(1);
};
// [batch, height, width, inChannels, outChannels, kernel]
for (const [n, h, w, cin, cout, k] of [
  [32, 126, 64, 1, 16, 3],
  [32, 63, 32, 16, 32, 3],
  [32, 31, 16, 32, 64, 3],
  [32, 15, 8, 64, 128, 3],
  [8, 64, 32, 16, 16, 5],
]) {
  const x = tf.randomNormal([n, h, w, cin]);
  const kernel = tf.randomNormal([k, k, cin, cout]);
  const dy = tf.randomNormal([n, h, w, cout]);
  const row = {
    shape: `${n}x${h}x${w}x${cin}->${cout} k${k}`,
    forward: time(() => tf.conv2d(x, kernel, 1, 'same')),
  };
  for (const [name, f] of Object.entries(inputGradients))
    row[`dx.${name}`] = time(() => f(dy, kernel, x.shape));
  for (const [name, f] of Object.entries(filterGradients))
    row[`dW.${name}`] = time(() => f(x, dy, k));
  console.log(JSON.stringify(row));
  tf.dispose([x, kernel, dy]);
}
