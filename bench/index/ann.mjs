// ANN index of @clapjs/index at N rows: build time, query latency p50/p99, recall@10 against
// exact search, at the parameters `buildIndexes` chooses (and `searchByVector` queries with), and
// the memory (RSS) of `clapjs serve` over the table. Vectors are real audio embeddings of the
// model (BASE rendered synth clips) plus small random jitter, renormalised; queries are the
// model's text embeddings of the captions of other synth clips. Prints one JSON line.
//   node bench/index/ann.mjs [rows=100000] [model dir, default: a freshly initialised default model]
// The rows are written and indexed on every core; before the queries the process pins itself
// (all its threads, LanceDB's included) to one core with taskset, so p50/p99 are one core's.
// (Pinning the whole run with `taskset -c 0` can hang LanceDB 0.31's index build: its CPU pool
// then has one thread.) No full-text index: LanceDB 0.31's full-text build can deadlock on this
// machine (it stalled both 10⁶-row runs; bench/RESULTS.md, "Full-text index build"), and the ANN
// figures do not need it.
// Needs the built CLI for the serve figure (pnpm turbo run build --filter=clapjs...).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@clapjs/core';
import { SynthDataset, synthConfigSchema } from '@clapjs/data';
import { ClapModel, defaultModelConfig } from '@clapjs/model';
import { annParameters, buildIndexes, Embedder, LibraryIndex, searchByVector } from '@clapjs/index';

const CLI = fileURLToPath(new URL('../../apps/train/dist/cli.js', import.meta.url));
const rows = Number(process.argv[2] ?? 100_000);
const BASE = 256;
const QUERIES = 100;
const JITTER = 0.05;
const WRITE_BATCH = 50_000;

const dir = mkdtempSync(join(tmpdir(), 'clapjs-bench-ann-'));
await tf.setBackend('cpu');
let modelDir = process.argv[3];
if (modelDir === undefined) {
  modelDir = join(dir, 'model');
  const fresh = await ClapModel.create(defaultModelConfig(), { seed: 0, captions: ['a sound'] });
  await fresh.save(modelDir);
  fresh.dispose();
}
const model = await ClapModel.load(modelDir);
const embedder = await Embedder.create(model, modelDir);
const synth = new SynthDataset({
  ...synthConfigSchema.parse({ size: BASE + QUERIES, seed: 11 }),
  name: 'synth',
});
const base = [];
for (let i = 0; i < BASE; i++)
  base.push(...(await embedder.embedClips([(await synth.get(i)).audio.samples])));
const queries = [];
for (let q = 0; q < QUERIES; q++)
  queries.push(await embedder.embedText((await synth.get(BASE + q)).captions[0]));

const rng = new Rng(3);
const index = await LibraryIndex.open(join(dir, 'db'));
await index.ensureTable(embedder.identity, embedder.dim, { library: dir });
const table = await index.table();
const writeStart = performance.now();
for (let at = 0; at < rows; at += WRITE_BATCH) {
  const batch = [];
  for (let i = at; i < Math.min(rows, at + WRITE_BATCH); i++) {
    const v = Array.from(base[i % BASE], (x) => x + rng.normal(0, JITTER));
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    batch.push({
      id: i.toString(16).padStart(16, '0'),
      root: 'library',
      path: `clip-${i}.wav`,
      window_start: 0,
      window_end: 2,
      duration: 2,
      config_hash: embedder.identity.configHash,
      weights_hash: embedder.identity.weightsHash,
      caption: '',
      text: `clip ${i}`,
      metadata: '{}',
      vector: v.map((x) => x / norm),
    });
  }
  // Plain appends (the rows are new): merge-insert's key check is not what this bench measures.
  await table.add(batch);
}
const writeSeconds = (performance.now() - writeStart) / 1000;
const buildStart = performance.now();
const report = await buildIndexes(index, { fullText: false });
const buildSeconds = (performance.now() - buildStart) / 1000;

execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
const latencies = [];
let recall = 0;
for (const vector of queries) {
  const t0 = performance.now();
  const ann = await searchByVector(index, vector, { k: 10 });
  latencies.push(performance.now() - t0);
  const exact = await table
    .vectorSearch(Array.from(vector))
    .distanceType('cosine')
    .bypassVectorIndex()
    .select(['id', '_distance'])
    .limit(10)
    .toArray();
  const truth = new Set(exact.map((r) => r.id));
  recall += ann.filter((h) => truth.has(h.id)).length / 10;
}
latencies.sort((a, b) => a - b);
const percentile = (p) => +latencies[Math.min(QUERIES - 1, Math.floor(QUERIES * p))].toFixed(1);

/** `clapjs serve` over the table: its RSS after start and after QUERIES text searches. */
async function serveMemory() {
  const port = 18_000 + Math.floor(Math.random() * 2000);
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--db', join(dir, 'db'), '--port', String(port), '--rate-limit', '100000'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const rss = () =>
    Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024;
  try {
    await new Promise((resolve, reject) => {
      child.stdout.on('data', (c) => c.toString().includes('http://') && resolve());
      child.on('exit', (code) => reject(new Error(`clapjs serve exited with ${code}`)));
    });
    const idle = rss();
    for (let q = 0; q < QUERIES; q++) {
      const caption = (await synth.get(BASE + q)).captions[0];
      const res = await fetch(
        `http://127.0.0.1:${port}/api/search?q=${encodeURIComponent(caption)}`,
      );
      if (!res.ok) throw new Error(`serve answered ${res.status}`);
      await res.json();
    }
    return { idleMB: Math.round(idle), afterQueriesMB: Math.round(rss()) };
  } finally {
    child.kill('SIGTERM');
  }
}

console.log(
  JSON.stringify({
    bench: 'index-ann',
    date: new Date().toISOString(),
    rows,
    dim: embedder.dim,
    model: process.argv[3] ?? 'default config, seed 0 (untrained)',
    baseClips: BASE,
    jitter: JITTER,
    writeSeconds: +writeSeconds.toFixed(1),
    indexBuildSeconds: +buildSeconds.toFixed(1),
    ann: report.ann,
    queryParameters: annParameters(rows),
    queries: QUERIES,
    queryCores: 1,
    p50ms: percentile(0.5),
    p99ms: percentile(0.99),
    recallAt10: +(recall / QUERIES).toFixed(3),
    benchRssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
    serve: await serveMemory(),
  }),
);
model.dispose();
rmSync(dir, { recursive: true, force: true });
