import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
await tf.setBackend('wasm'); await tf.ready();
function time(f, reps=5) { tf.tidy(f); const t=performance.now(); for(let r=0;r<reps;r++){ const o=tf.tidy(f); o.dataSync(); o.dispose(); } return ((performance.now()-t)/reps).toFixed(1); }
for (const [rows, c] of [[258048,8],[64512,32],[15872,64],[3840,128]]) {
  const x = tf.randomNormal([rows, c]); const ones = tf.ones([1, rows]); const onesCol = tf.ones([rows,1]);
  const x4 = tf.reshape(x, [32, rows/32, 1, c]);
  const r = {
    sum0: time(() => tf.sum(x, 0)),
    mm: time(() => tf.matMul(ones, x)),
    mmT: time(() => tf.matMul(tf.transpose(x), onesCol)),
    transSum: time(() => tf.sum(tf.transpose(x), 1)),
    chunk: time(() => tf.sum(tf.matMul(tf.ones([64,1,rows/64]), tf.reshape(x,[64, rows/64, c])), 0)),
    avgpool: time(() => tf.avgPool(x4, [rows/32, 1], [rows/32,1], 'valid')),
    mul: time(() => tf.mul(x, 2)),
    add: time(() => tf.add(x, x)),
    sign: time(() => tf.sign(x)),
    relu: time(() => tf.relu(x)),
    step: time(() => tf.step(x)),
    greater: time(() => tf.greater(x, 0)),
    mulb: time(() => tf.mul(x, tf.ones([c]))),
  };
  console.log(rows, c, JSON.stringify(r));
}
