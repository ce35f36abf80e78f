// clapjs side of bench/losses: loss + gradient at N × N on one tfjs backend, in its own process
// so that peak RSS (and, on wasm, the wasm heap's high-water mark) belong to one variant only.
// Usage: node clapjs_losses.mjs LOGITS_PATH N REPS BACKEND LOSS VARIANT
//   VARIANT: clapjs    — the @clapjs/losses function (tf.customGrad, (softmax − I)/N gradient)
//            autodiff  — the same loss written with tf.logSoftmax / tf.logSigmoid and autodiff
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// Resolve through @clapjs/losses' own dependencies: bench/ need not depend on it. tfjs-core has
// no exports map, so import and require both load its one Node bundle (one engine).
const losses = new URL('../../packages/losses/', import.meta.url);
const require = createRequire(new URL('package.json', losses));
const tf = require('@tensorflow/tfjs-core');
const { selectBackend } = require('@clapjs/core');
const { symmetricClapLoss, sigLipLoss } = await import(new URL('dist/index.js', losses).href);

const [path, nArg, repsArg, backend, loss, variant] = process.argv.slice(2);
const n = Number(nArg);
const reps = Number(repsArg);
await selectBackend(backend);

const autodiff = {
  'symmetric-clap': (c) => {
    const eye = tf.eye(n);
    const rows = tf.mean(tf.sum(tf.mul(tf.logSoftmax(c, 1), eye), 1));
    const cols = tf.mean(tf.sum(tf.mul(tf.logSoftmax(tf.transpose(c), 1), eye), 1));
    return tf.neg(tf.div(tf.add(rows, cols), 2));
  },
  // −Σ log σ(label · C) / N; logSigmoid written as −softplus(−x) (tf.logSigmoid fails under
  // tf.variableGrads here, see the similarity tests).
  siglip: (c) => tf.div(tf.sum(tf.softplus(tf.neg(tf.mul(c, tf.sub(tf.mul(tf.eye(n), 2), 1))))), n),
};
const ours = { 'symmetric-clap': symmetricClapLoss, siglip: sigLipLoss };
const fn = (variant === 'clapjs' ? ours : autodiff)[loss];

const data = new Float32Array(readFileSync(path).buffer, 0, n * n);
const c = tf.tensor2d(data, [n, n]);
const lossAndGrad = tf.valueAndGrad(fn);
const times = [];
let value = NaN;
let gradSumAbs = NaN;
for (let i = 0; i <= reps; i++) {
  const start = performance.now();
  const { value: v, grad } = lossAndGrad(c);
  // Reading back the value and one gradient entry forces the work to finish on every backend
  // without timing a 64 MB copy out (PyTorch's side has none either).
  value = (await v.data())[0];
  const corner = tf.slice(grad, [0, 0], [1, 1]);
  await corner.data();
  const elapsed = performance.now() - start;
  corner.dispose();
  if (i === reps) {
    // Summed in float64 here: a float32 tf.sum over N² values drifts (see sigLipLoss).
    gradSumAbs = 0;
    for (const g of await grad.data()) gradSumAbs += Math.abs(g);
  }
  tf.dispose([v, grad]);
  if (i > 0) times.push(elapsed);
}
times.sort((a, b) => a - b);
const wasmHeap = backend === 'wasm' ? tf.backend().wasm?.HEAPU8?.buffer.byteLength : undefined;
console.log(
  JSON.stringify({
    bench: 'losses',
    engine: `clapjs tfjs-${backend}`,
    variant,
    loss,
    n,
    ms_median: Math.round(times[Math.floor(times.length / 2)] * 10) / 10,
    reps,
    value,
    grad_sum_abs: gradSumAbs,
    peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
    ...(wasmHeap === undefined ? {} : { wasm_heap_mib: Math.round(wasmHeap / 2 ** 20) }),
    tensors_left: tf.memory().numTensors,
  }),
);
