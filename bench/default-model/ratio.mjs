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
// Losses agree when every step's loss is within float32 noise of PyTorch's: the larger of 1e-3
// relative and 3× the distance between PyTorch's own 1- and 2-thread runs (the same model in the
// same engine, rounded differently). A wrong layer changes the first steps by far more.
const LOSS_FLOOR = 1e-3;
const maxRelDiff = (a, b) =>
  Math.max(...a.map((l, i) => Math.abs(l - b[i]) / Math.abs(b[i])).filter(Number.isFinite));

for (const key of keys) {
  const [config, batchText] = key.split('|');
  const batch = Number(batchText);
  const of = (s) => s.config === config && s.batch === batch;
  const peers = summaries.filter((s) => of(s) && s.engine.startsWith('pytorch'));
  // One peer setting = a thread count and an allocator (peer-env.sh).
  const settingOf = (p) =>
    `${p.threads} thread${p.threads === 1 ? '' : 's'}, ${p.allocator ?? 'default'} allocator`;
  const bySetting = new Map();
  for (const p of peers) bySetting.set(settingOf(p), [...(bySetting.get(settingOf(p)) ?? []), p]);
  const peerMs = [...bySetting].map(([setting, runs]) => ({
    setting,
    threads: runs[0].threads,
    ms: median(runs.map((r) => r.msPerStep)),
    cpuMs: median(runs.map((r) => r.cpuMsPerStep)),
    losses: runs[0].losses,
  }));
  if (peerMs.length === 0) continue;
  const best = peerMs.reduce((a, b) => (b.ms < a.ms ? b : a));
  const routes = new Set(
    summaries.filter((s) => of(s) && s.engine.startsWith('tfjs')).map((s) => s.engine),
  );
  for (const engine of routes) {
    const runs = summaries.filter((s) => of(s) && s.engine === engine);
    const ms = median(runs.map((r) => r.msPerStep));
    const cpuMs = median(runs.map((r) => r.cpuMsPerStep));
    const losses = runs[0].losses;
    const lossRelDiff = maxRelDiff(losses, best.losses);
    // PyTorch's own rounding noise: the largest loss difference between two of its settings.
    const peerNoise = Math.max(
      0,
      ...peerMs.flatMap((a) => peerMs.map((b) => (a === b ? 0 : maxRelDiff(a.losses, b.losses)))),
    );
    const record = {
      bench: 'default-model',
      figure: 'ratio',
      config,
      batch,
      clapjs: engine,
      clapjsMsPerStep: ms,
      peer: peerMs.map((p) => `${p.setting}: ${p.ms} ms`).join('; '),
      bestPeer: best.setting,
      ratio: +(best.ms / ms).toFixed(3),
      // CPU time (all threads) per step: the steadier figure when other jobs load the machine.
      clapjsCpuMsPerStep: cpuMs,
      peerCpuMsPerStep: best.cpuMs,
      cpuRatio: +(best.cpuMs / cpuMs).toFixed(3),
      lossesAgree: lossRelDiff <= Math.max(LOSS_FLOOR, 3 * peerNoise),
      lossRelDiff: +lossRelDiff.toExponential(2),
      peerSettingsLossRelDiff: +peerNoise.toExponential(2),
      tensorsConstant: runs.every((r) => r.tensorsConstant),
      cpu,
      loadavg: load,
    };
    console.log(JSON.stringify(record));
    console.log(
      `| ${date} | ${cpu}, load ${load} | ${config} | ${batch} | ${engine} | ${ms} | PyTorch ${best.setting}: ${best.ms} | **${record.ratio}×** | ${cpuMs} / ${best.cpuMs} ms: ${record.cpuRatio}× | ${record.lossesAgree ? 'same' : 'DIFFER'} (${record.lossRelDiff}; PyTorch between its settings ${record.peerSettingsLossRelDiff}) |`,
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
