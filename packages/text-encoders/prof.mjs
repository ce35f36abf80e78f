import * as tf from '@tensorflow/tfjs-core';
import { Rng, selectBackend } from '@clapjs/core';
await selectBackend('wasm');
const rng = new Rng(0);
const mk = (s) => tf.tensor(rng.normalArray(s.reduce((x, y) => x * y)), s);
const [BH, L, D] = [128, 32, 64];
const Q = mk([BH, L, D]),
  K = mk([BH, L, D]),
  KT = tf.transpose(K, [0, 2, 1]),
  P = mk([BH, L, L]),
  V = mk([BH, L, D]);
const variants = {
  'QK: matMul(Q, K^T materialised)': () => tf.matMul(Q, KT),
  'QK: matMul(Q, K, false, true)': () => tf.matMul(Q, K, false, true),
  'PV: matMul(P, V)': () => tf.matMul(P, V),
  'PV: matMul(P, transpose(V), false, true)': () =>
    tf.matMul(P, tf.transpose(V, [0, 2, 1]), false, true),
  'PV: matMul(P, V^T already materialised, false, true)': (
    (VT) => () =>
      tf.matMul(P, VT, false, true)
  )(tf.transpose(V, [0, 2, 1])),
  'transpose [128,32,64] alone': () => tf.transpose(V, [0, 2, 1]),
};
const best = {};
for (let round = 0; round < 7; round++) {
  for (const [name, f] of Object.entries(variants)) {
    const s = performance.now();
    tf.tidy(() => f().dataSync());
    const ms = performance.now() - s;
    if (round > 0) best[name] = Math.min(best[name] ?? Infinity, ms);
  }
}
for (const [n, ms] of Object.entries(best)) console.log(ms.toFixed(2).padStart(8), 'ms ', n);
