// Fused vs unfused HTSAT-tiny inference cost per clip (LAION-CLAP's fusion: the 4-channel front
// end, mel_conv2d and the attentional feature fusion block), audio encoder and front end only, on
// tfjs-wasm + @clapjs/kernels-wasm, random weights from a seed. Cases, one clip each:
//   unfused      — laion-unfused log-mel of a 10 s window, htsat (1 channel)
//   fused-short  — fusionLogMel of a 10 s clip (four equal channels: no fusion), htsat fusion
//   fused-long   — fusionLogMel of a 30 s clip (whole clip shrunk + 3 crops), htsat fusion
// Prints one JSON line per case: front-end and encoder wall and CPU ms, medians of the measured calls.
// Usage: node fusion.mjs [measured]   (build packages/audio and packages/audio-encoders first)
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { fusionLogMel, getPreset, LogMelExtractor } from '@clapjs/audio';
import { Rng, selectBackend } from '@clapjs/core';
import { registerWasmKernels } from '@clapjs/kernels-wasm';
// Not a dependency of bench/ (a built workspace package): loaded from its dist.
import { HtsatAudioEncoder } from '../../packages/audio-encoders/dist/index.js';

const measured = Number(process.argv[2] ?? '5');
const RATE = 48_000;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Wall and CPU ms of `fn` per call (medians over `measured` calls after one warm-up). The wasm
 * route is single-threaded, so CPU time is the figure that survives a loaded machine.
 */
function time(fn) {
  const wall = [];
  const cpu = [];
  for (let rep = 0; rep < measured + 1; rep++) {
    const start = performance.now();
    const used = process.cpuUsage();
    fn();
    const { user, system } = process.cpuUsage(used);
    if (rep > 0) {
      wall.push(performance.now() - start);
      cpu.push((user + system) / 1000);
    }
  }
  return { wall: Math.round(median(wall)), cpu: Math.round(median(cpu)) };
}

const rng = new Rng(0);
const noise = (seconds) => Float32Array.from(rng.normalArray(seconds * RATE, 0, 0.1));
await selectBackend('wasm');
registerWasmKernels();

const cases = [
  { name: 'unfused', preset: 'laion-unfused', fusion: false, seconds: 10 },
  { name: 'fused-short', preset: 'laion-fused', fusion: true, seconds: 10 },
  { name: 'fused-long', preset: 'laion-fused', fusion: true, seconds: 30 },
];
for (const c of cases) {
  const extractor = new LogMelExtractor(getPreset(c.preset));
  const encoder = new HtsatAudioEncoder(
    { name: 'htsat', fusion: c.fusion },
    { melBins: 64, rng: new Rng(1) },
  );
  const clip = noise(c.seconds);
  let input;
  const frontEnd = time(() => {
    if (c.fusion) {
      const f = fusionLogMel(clip, extractor);
      input = { data: f.data, shape: [1, f.frames, f.melBins, 4] };
    } else {
      const m = extractor.compute(clip);
      input = { data: m.data, shape: [1, m.frames, m.melBins, 1] };
    }
  });
  const x = tf.tensor4d(input.data, input.shape);
  // The wasm backend runs kernels synchronously; dataSync adds only the 768-float read-back.
  const encoderTime = time(() => {
    const y = encoder.encode(x, { training: false });
    y.dataSync();
    y.dispose();
  });
  console.log(
    JSON.stringify({
      bench: 'htsat-fusion',
      engine: 'tfjs-wasm+kernels-wasm',
      case: c.name,
      clipSeconds: c.seconds,
      frontEndMs: frontEnd.wall,
      frontEndCpuMs: frontEnd.cpu,
      encoderMs: encoderTime.wall,
      encoderCpuMs: encoderTime.cpu,
      measured,
    }),
  );
  x.dispose();
  encoder.dispose();
}
