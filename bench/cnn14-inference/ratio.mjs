// Reads run.sh's JSON lines (stdin) and prints, per batch, each engine's median over every
// measured call of every round, clips/s, and the ratio against PyTorch's best thread setting.
import { createInterface } from 'node:readline';

const groups = new Map();
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.startsWith('{')) continue;
  const r = JSON.parse(line);
  if (r.figure !== 'summary') continue;
  const key = `${r.batch}\t${r.engine}\t${r.threads}`;
  const g = groups.get(key) ?? {
    batch: r.batch,
    engine: r.engine,
    threads: r.threads,
    times: [],
    cpuTimes: [],
    rss: 0,
  };
  g.times.push(...r.times);
  g.cpuTimes.push(...(r.cpuTimes ?? []));
  g.rss = Math.max(g.rss, r.peakRssMiB);
  groups.set(key, g);
}
const rows = [...groups.values()].map((g) => {
  const sorted = [...g.times].sort((a, b) => a - b);
  const medianMs = sorted[Math.floor(sorted.length / 2)];
  const cpuSorted = [...g.cpuTimes].sort((a, b) => a - b);
  const cpuMedianMs = cpuSorted[Math.floor(cpuSorted.length / 2)] ?? null;
  return { ...g, n: sorted.length, medianMs, cpuMedianMs, clipsPerS: (1000 * g.batch) / medianMs };
});
for (const batch of new Set(rows.map((r) => r.batch))) {
  const here = rows.filter((r) => r.batch === batch);
  const torch = here.filter((r) => r.engine.startsWith('pytorch'));
  const best = torch.reduce((a, b) => (b.clipsPerS > a.clipsPerS ? b : a), torch[0]);
  for (const r of here) {
    console.log(
      JSON.stringify({
        bench: 'cnn14-inference',
        figure: 'ratio',
        batch,
        engine: r.engine,
        threads: r.threads,
        calls: r.n,
        medianMs: r.medianMs,
        cpuMedianMs: r.cpuMedianMs,
        cpuMsPerClip: r.cpuMedianMs === null ? null : Math.round(r.cpuMedianMs / batch),
        clipsPerS: +r.clipsPerS.toFixed(3),
        peakRssMiB: r.rss,
        vsBestPytorch: best ? +(r.clipsPerS / best.clipsPerS).toFixed(2) : null,
        bestPytorchThreads: best?.threads ?? null,
      }),
    );
  }
}
