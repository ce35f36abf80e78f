// ANN index of @clapjs/index at N rows: build time, query latency p50/p99, recall@10 against
// exact search, at the parameters `buildIndexes` chooses. Vectors are real audio embeddings of
// the model (rendered synth clips) plus small random jitter, renormalised; queries are the
// model's text embeddings of synth captions. Prints one JSON line.
//   node bench/index/ann.mjs [rows=100000] [model dir, default: a freshly initialised default model]
// Run it pinned to one core for the latency figures: taskset -c 0 node bench/index/ann.mjs …
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@clapjs/core';
import { SynthDataset, synthConfigSchema } from '@clapjs/data';
import { ClapModel, defaultModelConfig } from '@clapjs/model';
import { buildIndexes, Embedder, LibraryIndex, searchByVector } from '@clapjs/index';

const rows = Number(process.argv[2] ?? 100_000);
const modelDir = process.argv[3];
const CLIPS = 64;
const QUERIES = 100;
const JITTER = 0.05;

await tf.setBackend('cpu');
const model = modelDir
  ? await ClapModel.load(modelDir)
  : await ClapModel.create(defaultModelConfig(), { seed: 0, captions: ['a sound'] });
const embedder = await Embedder.create(model, modelDir);
const synth = new SynthDataset({
  ...synthConfigSchema.parse({ size: CLIPS, seed: 11 }),
  name: 'synth',
});
const base = [];
const captions = [];
for (let i = 0; i < CLIPS; i++) {
  const item = await synth.get(i);
  base.push(...(await embedder.embedClips([item.audio.samples])));
  captions.push(item.captions[0]);
}
const rng = new Rng(3);
const dir = mkdtempSync(join(tmpdir(), 'clapjs-bench-ann-'));
const index = await LibraryIndex.open(join(dir, 'db'));
await index.ensureTable(embedder.identity, embedder.dim, { library: dir });
const started = performance.now();
for (let at = 0; at < rows; at += 10_000) {
  const batch = [];
  for (let i = at; i < Math.min(rows, at + 10_000); i++) {
    const v = Array.from(base[i % CLIPS], (x) => x + rng.normal(0, JITTER));
    const norm = Math.hypot(...v);
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
  await index.upsert(batch);
}
const writeSeconds = (performance.now() - started) / 1000;
const buildStart = performance.now();
const report = await buildIndexes(index);
const buildSeconds = (performance.now() - buildStart) / 1000;
const table = await index.table();
const latencies = [];
let recall = 0;
for (let q = 0; q < QUERIES; q++) {
  const vector = await embedder.embedText(captions[q % captions.length]);
  const t0 = performance.now();
  const ann = await searchByVector(index, vector, { k: 10 });
  latencies.push(performance.now() - t0);
  const exact = await table
    .vectorSearch(Array.from(vector))
    .distanceType('cosine')
    .bypassVectorIndex()
    .select(['id'])
    .limit(10)
    .toArray();
  const truth = new Set(exact.map((r) => r.id));
  recall += ann.filter((h) => truth.has(h.id)).length / 10;
}
latencies.sort((a, b) => a - b);
const rss = process.memoryUsage().rss;
console.log(
  JSON.stringify({
    bench: 'index-ann',
    date: new Date().toISOString(),
    rows,
    dim: embedder.dim,
    model: modelDir ?? 'default config, seed 0 (untrained)',
    jitter: JITTER,
    writeSeconds: +writeSeconds.toFixed(1),
    indexBuildSeconds: +buildSeconds.toFixed(1),
    ann: report.ann,
    queries: QUERIES,
    p50ms: +latencies[Math.floor(QUERIES * 0.5)].toFixed(1),
    p99ms: +latencies[Math.floor(QUERIES * 0.99)].toFixed(1),
    recallAt10: +(recall / QUERIES).toFixed(3),
    rssMB: Math.round(rss / 2 ** 20),
  }),
);
model.dispose();
rmSync(dir, { recursive: true, force: true });
