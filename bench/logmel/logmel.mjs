// Log-mel of 10 s clips at 32 kHz (bench/README.md row) with @clapjs/audio, from its built dist.
// Prints one JSON line per figure. Usage: node logmel.mjs <clipDir> <clips> <reps> [torchRef.f32]
//   clipDir holds clip<i>.f32 (raw float32 mono); torchRef is torchaudio's log-mel of clip0.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@clapjs/core';

const audioDist = fileURLToPath(new URL('../../packages/audio/dist/index.js', import.meta.url));
const { LogMelExtractor, RealFFT, hannWindow } = await import(audioDist);
// fft.js is no dependency of the repository any more: its comparison runs where it resolves.
let FFT;
try {
  FFT = createRequire(fileURLToPath(new URL('../../packages/audio/package.json', import.meta.url)))(
    'fft.js',
  );
} catch {
  FFT = undefined;
}

const [clipDir, clipsArg = '8', repsArg = '5', refPath] = process.argv.slice(2);
const CONFIG = {
  sampleRate: 32_000,
  nFft: 1024,
  hopLength: 320,
  winLength: 1024,
  nMels: 64,
  fMin: 50,
  fMax: 14_000,
  power: 2,
  melScale: 'slaney',
  norm: 'slaney',
  center: true,
  topDb: null,
  amin: 1e-10,
  ref: 1,
  clipSeconds: 10,
};
const emit = (record) => console.log(JSON.stringify({ bench: 'logmel', ...record }));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/**
 * Runs f and returns [wall ms, CPU ms]. The CPU time (this process, all threads) is the primary
 * figure: shared 2-core machines run other jobs, which stretch wall time but not CPU time.
 */
function timed(f) {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  f();
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  return [wall, (c.user + c.system) / 1e3];
}
const clips = Array.from({ length: Number(clipsArg) }, (_, i) => {
  const b = readFileSync(`${clipDir}/clip${i}.f32`);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
});
const reps = Number(repsArg);

// 1. The FFT alone: 1024-point windowed power spectrum, ours vs fft.js 4.0.4 (radix-4).
{
  const n = 1024,
    count = 20_000;
  const frame = clips[0].subarray(0, n);
  const window = hannWindow(n);
  const ours = new RealFFT(n);
  const power = new Float64Array(n / 2 + 1);
  const fftjs = FFT === undefined ? undefined : new FFT(n);
  const input = new Float64Array(n);
  const out = fftjs?.createComplexArray();
  const runOurs = () => ours.powerSpectrum(frame, 0, window, power);
  const runFftJs = () => {
    for (let i = 0; i < n; i++) input[i] = frame[i] * window[i];
    fftjs.realTransform(out, input);
    for (let k = 0; k <= n / 2; k++) power[k] = out[2 * k] ** 2 + out[2 * k + 1] ** 2;
  };
  for (const [engine, run] of [
    ['clapjs RealFFT', runOurs],
    ...(fftjs === undefined ? [] : [['fft.js 4.0.4', runFftJs]]),
  ]) {
    for (let i = 0; i < 2000; i++) run();
    const cpu = [];
    const wall = [];
    for (let r = 0; r < 7; r++) {
      const [w, c] = timed(() => {
        for (let i = 0; i < count; i++) run();
      });
      wall.push((w * 1e3) / count);
      cpu.push((c * 1e3) / count);
    }
    emit({
      figure: 'fft-1024-power-spectrum',
      engine,
      cpuUs: +median(cpu).toFixed(2),
      wallUs: +median(wall).toFixed(2),
    });
  }
}

// 2. Log-mel per 10 s clip (one thread): the default wasm kernel, then the plain-JS kernel.
let extractor;
for (const kernel of ['js', 'wasm']) {
  extractor = new LogMelExtractor(CONFIG, { kernel });
  for (const clip of clips.slice(0, 2)) extractor.compute(clip); // warm-up
  const wall = [];
  const cpu = [];
  for (let r = 0; r < reps; r++) {
    for (const clip of clips) {
      const [w, c] = timed(() => extractor.compute(clip));
      wall.push(w);
      cpu.push(c);
    }
  }
  emit({
    figure: 'logmel-10s-32k',
    engine: `clapjs ${kernel} kernel`,
    threads: 1,
    clips: clips.length,
    reps,
    cpuMsPerClip: +median(cpu).toFixed(2),
    wallMsPerClip: +median(wall).toFixed(2),
    frames: extractor.frames(clips[0].length),
  });
}

// 3. Agreement with torchaudio (float32, its default) on clip 0.
if (refPath) {
  const b = readFileSync(refPath);
  const ref = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  const ours = extractor.compute(clips[0]).data;
  const diffs = [];
  for (let i = 0; i < ref.length; i++) if (ref[i] > -80) diffs.push(Math.abs(ours[i] - ref[i]));
  diffs.sort((a, b2) => a - b2);
  emit({
    figure: 'agreement-vs-torchaudio-float32',
    cells: diffs.length,
    medianDb: diffs[Math.floor(diffs.length / 2)],
    maxDb: diffs[diffs.length - 1],
  });
}

// 4. The tfjs path (DFT as matMul), batch of all clips, on the wasm backend.
await selectBackend('wasm');
const batch = tf.tensor2d(clips.map((c) => Array.from(c)));
tf.dispose(extractor.computeBatch(batch));
const batchWall = [];
const batchCpu = [];
for (let r = 0; r < Math.min(reps, 3); r++) {
  const [w, c] = timed(() => tf.dispose(extractor.computeBatch(batch).dataSync()));
  batchWall.push(w / clips.length);
  batchCpu.push(c / clips.length);
}
emit({
  figure: 'logmel-10s-32k',
  engine: 'clapjs tfjs-wasm computeBatch',
  threads: 1,
  batch: clips.length,
  cpuMsPerClip: +median(batchCpu).toFixed(2),
  wallMsPerClip: +median(batchWall).toFixed(2),
});
