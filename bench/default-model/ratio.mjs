// Reads run.sh's JSON lines on stdin; prints, per config, batch and clapjs route, the ratio
// clapjs / PyTorch's best thread setting (samples/s, medians over the repeats), whether the losses
// agree, and a bench/RESULTS.md table row.
import { readFileSync } from 'node:fs';

const lines = readFileSync(0, 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('{'))
  .map((l) => JSON.parse(l));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const machines = lines.filter((l) => l.figure === 'machine');
const cpu = machines[0]?.cpu ?? '?';
const load = machines.map((m) => m.loadavg[0]).join(' → ');
const date = machines[0]?.date.slice(0, 16).replace('T', ' ') ?? '?';
const summaries = lines.filter((l) => l.figure === 'summary');
const keys = new Set(summaries.map((s) => `${s.config}|${s.batch}`));
// Losses agree when every step's loss is within this relative distance of PyTorch's: float32
// rounding over a few steps of AdamW, not a different model (a wrong layer changes step 1 by ≫ 1e-3).
const LOSS_TOLERANCE = 1e-3;

for (const key of keys) {
  const [config, batchText] = key.split('|');
  const batch = Number(batchText);
  const of = (s) => s.config === config && s.batch === batch;
  const peers = summaries.filter((s) => of(s) && s.engine.startsWith('pytorch'));
  const byThreads = new Map();
  for (const p of peers) byThreads.set(p.threads, [...(byThreads.get(p.threads) ?? []), p]);
  const peerMs = [...byThreads].map(([threads, runs]) => ({
    threads,
    ms: median(runs.map((r) => r.msPerStep)),
    losses: runs[0].losses,
  }));
  const best = peerMs.reduce((a, b) => (b.ms < a.ms ? b : a));
  const routes = new Set(
    summaries.filter((s) => of(s) && s.engine.startsWith('tfjs')).map((s) => s.engine),
  );
  for (const engine of routes) {
    const runs = summaries.filter((s) => of(s) && s.engine === engine);
    const ms = median(runs.map((r) => r.msPerStep));
    const losses = runs[0].losses;
    const lossRelDiff = Math.max(
      ...losses.map((l, i) => Math.abs(l - best.losses[i]) / Math.abs(best.losses[i])),
    );
    const record = {
      bench: 'default-model',
      figure: 'ratio',
      config,
      batch,
      clapjs: engine,
      clapjsMsPerStep: ms,
      peer: peerMs
        .map((p) => `${p.threads} thread${p.threads === 1 ? '' : 's'}: ${p.ms} ms`)
        .join(', '),
      bestPeerThreads: best.threads,
      ratio: +(best.ms / ms).toFixed(3),
      lossesAgree: lossRelDiff <= LOSS_TOLERANCE,
      lossRelDiff: +lossRelDiff.toExponential(2),
      tensorsConstant: runs.every((r) => r.tensorsConstant),
      cpu,
      loadavg: load,
    };
    console.log(JSON.stringify(record));
    console.log(
      `| ${date} | ${cpu}, load ${load} | ${config} | ${batch} | ${engine} | ${ms} | PyTorch ${best.threads} thread${best.threads === 1 ? '' : 's'}: ${best.ms} | **${record.ratio}×** | ${record.lossesAgree ? 'same' : 'DIFFER'} (${record.lossRelDiff}) |`,
    );
  }
}
for (const p of lines.filter((l) => l.figure === 'profile')) {
  const top = p.kernels
    .slice(0, 8)
    .map((k) => `${k.name} ${k.ms}`)
    .join(', ');
  console.log(
    `# profile ${p.config} b${p.batch} ${p.engine}: ${p.totalKernelMs ?? p.totalSelfMs} ms: ${top}`,
  );
}
