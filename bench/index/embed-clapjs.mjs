// clapjs's embedding of a list of files alone — decode, resample, log-mel, encoder, projection,
// as `clapjs index build` runs it (Embedder.embedFiles, 16 windows per encode) — on the CLI's CPU
// route (wasm + @clapjs/kernels-native, else kernels-wasm), without the CLI's start-up or
// LanceDB's writes: the figure to set beside the PyTorch peer (embed_peer.py). Prints one JSON line.
//   node bench/index/embed-clapjs.mjs MODEL_DIR FILE_LIST [native|wasm]
import { readFileSync } from 'node:fs';
import '@tensorflow/tfjs-backend-wasm';
import { kernelPackStatuses, selectBackend } from '@clapjs/core';
import { ClapModel } from '@clapjs/model';
import { Embedder } from '@clapjs/index';

const [modelDir, listFile, route = 'native'] = process.argv.slice(2);
await selectBackend('wasm');
// Not dependencies of bench/ (the addon is an optional native build): the workspace's dist.
const packages = new URL('../../packages/', import.meta.url);
if (route === 'native') await import(new URL('kernels-native/dist/register.js', packages).href);
else await import(new URL('kernels-wasm/dist/register.js', packages).href);
const native = kernelPackStatuses('wasm').some(
  (p) => p.name === '@clapjs/kernels-native' && p.loaded,
);
const embedder = await Embedder.create(await ClapModel.load(modelDir), modelDir);
const paths = readFileSync(listFile, 'utf8').split('\n').filter(Boolean);
const files = paths.map((p) => ({ path: p, absolute: p }));
await embedder.embedFiles(files.slice(0, 16)); // warm-up: kernels compiled, buffers sized
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const results = await embedder.embedFiles(files);
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
console.log(
  JSON.stringify({
    bench: 'index-embed',
    engine: native ? 'clapjs tfjs-wasm+kernels-native' : 'clapjs tfjs-wasm+kernels-wasm',
    clips: paths.length,
    failed: results.filter((r) => !('windows' in r)).length,
    seconds: +seconds.toFixed(2),
    cpuSeconds: +cpuSeconds.toFixed(2),
    clipsPerSecond: +(paths.length / seconds).toFixed(1),
    clipsPerCpuSecond: +(paths.length / cpuSeconds).toFixed(1),
  }),
);
embedder.model.dispose();
