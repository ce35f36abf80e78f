// Reads run.sh's JSON lines (stdin): per figure (audio at each batch, text) and engine, items/s
// and the ratio against PyTorch's best thread setting; then one bench/RESULTS.md table row.
import { createInterface } from 'node:readline';

const rows = [];
let start;
let end;
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.startsWith('{')) continue;
  const r = JSON.parse(line);
  if (r.figure === 'machine') start = r;
  else if (r.figure === 'machine-end') end = r;
  else if (r.figure === 'audio' || r.figure === 'text') rows.push(r);
}
// Text runs once per audio batch: its figures from every pass are pooled (median).
const key = (r) => `${r.figure} ${r.batch}`;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : +((s[m - 1] + s[m]) / 2).toFixed(3);
};
const cells = [];
for (const k of new Set(rows.map(key))) {
  const engines = new Map();
  for (const r of rows.filter((x) => key(x) === k)) {
    const id = `${r.engine}\t${r.threads}`;
    const e = engines.get(id) ?? { engine: r.engine, threads: r.threads, values: [] };
    e.values.push(r.itemsPerSecond);
    engines.set(id, e);
  }
  const here = [...engines.values()].map((e) => ({ ...e, itemsPerSecond: median(e.values) }));
  const torch = here.filter((r) => r.engine.startsWith('pytorch'));
  const best = torch.reduce((a, b) => (b.itemsPerSecond > a.itemsPerSecond ? b : a), torch[0]);
  for (const r of here) {
    const ratio = best ? +(r.itemsPerSecond / best.itemsPerSecond).toFixed(2) : null;
    console.log(
      JSON.stringify({
        bench: 'htsat-inference',
        figure: 'ratio',
        what: k,
        engine: r.engine,
        threads: r.threads,
        runs: r.values.length,
        itemsPerSecond: r.itemsPerSecond,
        vsBestPytorch: ratio,
        bestPytorchThreads: best?.threads ?? null,
      }),
    );
    if (!r.engine.startsWith('pytorch'))
      cells.push(`${k}: ${r.itemsPerSecond}/s ${r.engine.replace('tfjs-wasm+', '')} (${ratio}×)`);
  }
  if (best) cells.push(`${k}: PyTorch ${best.threads} thr ${best.itemsPerSecond}/s`);
}
const load = (m) => (m ? m.loadavg.join(' / ') : '?');
console.log(
  `| ${start?.date?.slice(0, 16) ?? '?'} | ${start?.cpu ?? '?'} (${start?.nproc ?? '?'} cores) | load ${load(start)} → ${load(end)} | ${cells.join('; ')} |`,
);
