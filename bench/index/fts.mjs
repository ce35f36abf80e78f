// How long LanceDB 0.31's full-text index takes to build on a library table's `text` column, at
// N rows, with the options `buildIndexes` uses (positions off) and with LanceDB's defaults
// (positions on): is the stall seen at 10⁶ rows slowness or a deadlock? Rows carry text shaped
// like an index's (a path's words + a caption from a small vocabulary, as a gm-speech library
// has) and 128-d random vectors (the FTS build never reads them). Prints one JSON line per build.
//   node bench/index/fts.mjs [rows=100000] [positions: both|off|on] [timeout s=900]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { Rng } from '@clapjs/core';

const rows = Number(process.argv[2] ?? 100_000);
const which = process.argv[3] ?? 'both';
const timeoutSeconds = Number(process.argv[4] ?? 900);
const WRITE_BATCH = 50_000;
const WORDS = (
  'soft loud bright dark short long rising falling fast slow piano violin flute trumpet organ ' +
  'guitar drum bell choir harp cello oboe clarinet voice man woman says counts the a of note ' +
  'chord melody low high one two three four five six seven eight nine ten'
).split(' ');

const rng = new Rng(7);
const pick = () => WORDS[Math.floor(rng.next() * WORDS.length)];
const caption = () => Array.from({ length: 4 + Math.floor(rng.next() * 6) }, pick).join(' ');

async function table(dir, name) {
  const db = await lancedb.connect(dir);
  let t;
  for (let at = 0; at < rows; at += WRITE_BATCH) {
    const batch = [];
    for (let i = at; i < Math.min(rows, at + WRITE_BATCH); i++) {
      const text = caption();
      batch.push({
        id: i.toString(16).padStart(16, '0'),
        text: `library clips ${String(i).padStart(7, '0')} wav ${text}`,
        vector: Array.from({ length: 128 }, () => rng.next() - 0.5),
      });
    }
    if (t === undefined) t = await db.createTable(name, batch);
    else await t.add(batch);
  }
  await t.optimize();
  return t;
}

async function timeBuild(withPosition) {
  const dir = mkdtempSync(join(tmpdir(), 'clapjs-bench-fts-'));
  try {
    const t = await table(dir, 'rows');
    const started = performance.now();
    const timer = new Promise((resolve) =>
      setTimeout(() => resolve('timeout'), timeoutSeconds * 1000).unref(),
    );
    const outcome = await Promise.race([
      t
        .createIndex('text', { config: lancedb.Index.fts({ withPosition }), replace: true })
        .then(() => 'built'),
      timer,
    ]);
    console.log(
      JSON.stringify({
        bench: 'index-fts',
        date: new Date().toISOString(),
        rows,
        withPosition,
        outcome,
        seconds: +((performance.now() - started) / 1000).toFixed(1),
        cpuSeconds: +(process.cpuUsage().user / 1e6).toFixed(1),
      }),
    );
    if (outcome === 'timeout') process.exit(0); // the native build cannot be cancelled
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (which !== 'on') await timeBuild(false);
if (which !== 'off') await timeBuild(true);
