// Text → audio retrieval over an indexed gm-speech library, through @clapjs/index's public search
// API: every caption of every clip outside the training split (test, held-out combinations,
// held-out vocabulary) is a query whose target is its own clip; R@1 / R@10 of the ANN search at the
// parameters the index chose, of exact search (bypassing the index) over the same rows, and how
// much of exact search's top 10 the ANN search returns. Prints one JSON line.
//   node bench/index/gm-speech-recall.mjs DATA_DIR DB_DIR MODEL_DIR
// gm-speech-e2e.sh builds DATA_DIR, the model and DB_DIR with the CLI and runs this.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ClapModel } from '@clapjs/model';
import { annParameters, Embedder, LibraryIndex, searchByVector } from '@clapjs/index';

const [dataDir, dbDir, modelDir] = process.argv.slice(2);
if (modelDir === undefined) {
  console.error('usage: node bench/index/gm-speech-recall.mjs DATA_DIR DB_DIR MODEL_DIR');
  process.exit(2);
}
await tf.setBackend('cpu');
const index = await LibraryIndex.open(dbDir);
const embedder = await Embedder.create(await ClapModel.load(modelDir), modelDir);

const queries = [];
for (const file of ['manifest.jsonl', 'heldout-combos.jsonl', 'heldout-vocab.jsonl'])
  for (const line of readFileSync(join(dataDir, file), 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const item = JSON.parse(line);
    if (item.split === 'train') continue;
    for (const caption of item.captions) queries.push({ caption, path: item.path, set: item.set });
  }

const rows = await (await index.table()).countRows();
const indices = await (await index.table()).listIndices();
const tally = { ann: { r1: 0, r10: 0, ms: 0 }, exact: { r1: 0, r10: 0, ms: 0 } };
let overlap = 0;
for (const q of queries) {
  const vector = await embedder.embedText(q.caption);
  const hits = {};
  for (const mode of ['ann', 'exact']) {
    const t0 = performance.now();
    hits[mode] = await searchByVector(index, vector, { k: 10, exact: mode === 'exact' });
    tally[mode].ms += performance.now() - t0;
    const rank = hits[mode].findIndex((h) => h.path === q.path);
    if (rank === 0) tally[mode].r1++;
    if (rank !== -1) tally[mode].r10++;
  }
  const truth = new Set(hits.exact.map((h) => h.id));
  overlap += hits.ann.filter((h) => truth.has(h.id)).length / Math.max(1, truth.size);
}
const pct = (n) => +((100 * n) / queries.length).toFixed(2);
const summary = (t) => ({
  r1: pct(t.r1),
  r10: pct(t.r10),
  msPerQuery: +(t.ms / queries.length).toFixed(1),
});
console.log(
  JSON.stringify({
    bench: 'index-gm-speech-recall',
    date: new Date().toISOString(),
    rows,
    index: indices.map((i) => i.indexType),
    parameters: annParameters(rows),
    queries: queries.length,
    clips: new Set(queries.map((q) => q.path)).size,
    model: modelDir,
    ann: summary(tally.ann),
    exact: summary(tally.exact),
    r10GapPoints: +(pct(tally.ann.r10) - pct(tally.exact.r10)).toFixed(2),
    annRecallOfExactTop10: +(overlap / queries.length).toFixed(4),
  }),
);
embedder.model.dispose();
