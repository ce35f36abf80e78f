// Embedding throughput of a queued build with 1 vs 2 `clapjs worker` processes (each one
// sandboxed processor) on the same rendered clips and model. Prints one JSON line.
//   node bench/index/throughput.mjs [clips=200] [model dir, default: a freshly initialised default model] [root]
// root: a directory of audio files to index instead of `clips` rendered synth clips (clips is then
// the number of files in it, for the report).
// Needs redis-server (or CLAPJS_TEST_REDIS_URL) and the built CLI (pnpm turbo run build --filter=clapjs...).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { encodeWav } from '@clapjs/audio';
import { startTestRedis } from '@clapjs/config/test-redis';
import { SynthDataset, synthConfigSchema } from '@clapjs/data';
import { ClapModel, defaultModelConfig } from '@clapjs/model';
import { Embedder, enqueueLibrary, LibraryIndex, waitForBuild } from '@clapjs/index';

const CLI = fileURLToPath(new URL('../../apps/train/dist/cli.js', import.meta.url));
const clips = Number(process.argv[2] ?? 200);
const dir = mkdtempSync(join(tmpdir(), 'clapjs-bench-throughput-'));
await tf.setBackend('cpu');
let modelDir = process.argv[3];
if (modelDir === undefined) {
  modelDir = join(dir, 'model');
  const fresh = await ClapModel.create(defaultModelConfig(), { seed: 0, captions: ['a sound'] });
  await fresh.save(modelDir);
  fresh.dispose();
}
let root = process.argv[4];
if (root === undefined) {
  root = join(dir, 'sounds');
  mkdirSync(root);
  const synth = new SynthDataset({
    ...synthConfigSchema.parse({ size: clips, seed: 5 }),
    name: 'synth',
  });
  for (let i = 0; i < clips; i++) {
    const item = await synth.get(i);
    writeFileSync(
      join(root, `clip-${i}.wav`),
      encodeWav(item.audio.samples, item.audio.sampleRate),
    );
  }
}
const embedder = await Embedder.create(await ClapModel.load(modelDir), modelDir);
const redis = await startTestRedis();

async function run(workers) {
  const db = join(dir, `db-${workers}`);
  const table = `w${workers}`;
  const children = [];
  for (let w = 0; w < workers; w++) {
    const child = spawn(
      process.execPath,
      [
        CLI,
        'worker',
        '--queue',
        redis.url,
        '--db',
        db,
        '--table',
        table,
        '--root',
        `sounds=${root}`,
        '-m',
        modelDir,
        '--backend',
        'wasm',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(child);
    await new Promise((resolve) =>
      child.stdout.on('data', (c) => c.toString().includes('ready') && resolve()),
    );
  }
  const index = await LibraryIndex.open(db, { table });
  const t0 = performance.now();
  const queued = await enqueueLibrary(index, embedder, {
    queue: redis.url,
    root,
    rootName: 'sounds',
    batchFiles: 10,
  });
  const result = await waitForBuild(redis.url, table, queued.parentId);
  const seconds = (performance.now() - t0) / 1000;
  for (const c of children) c.kill('SIGTERM');
  return {
    workers,
    seconds: +seconds.toFixed(1),
    clipsPerSecond: +(result.embedded / seconds).toFixed(2),
    rowsAdded: result.rowsAdded,
  };
}

const one = await run(1);
const two = await run(2);
console.log(
  JSON.stringify({
    bench: 'index-throughput',
    date: new Date().toISOString(),
    clips,
    clipSeconds: 2,
    root: process.argv[4] ?? 'rendered synth clips',
    model: process.argv[3] ?? 'default config, seed 0 (untrained)',
    backend: 'wasm (+ kernel packs)',
    one,
    two,
    speedup: +(one.seconds / two.seconds).toFixed(2),
  }),
);
embedder.model.dispose();
await redis.stop();
rmSync(dir, { recursive: true, force: true });
