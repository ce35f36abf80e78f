// Reads the JSON lines of run.sh on stdin and prints, per model and batch, the median samples/s of
// each worker count over the repeats and its ratio to one worker: the ratio of the medians, and
// the median of the per-repeat ratios (the runs of one repeat are back to back, so the load they
// share cancels better).
import { createInterface } from 'node:readline';

const summaries = [];
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.startsWith('{')) continue;
  const record = JSON.parse(line);
  if (record.bench === 'workers' && record.figure === 'summary') summaries.push(record);
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const groups = new Map();
for (const s of summaries) {
  const key = `${s.model}|${s.batch}`;
  if (!groups.has(key)) groups.set(key, new Map());
  const byWorkers = groups.get(key);
  if (!byWorkers.has(s.workers)) byWorkers.set(s.workers, []);
  byWorkers.get(s.workers).push(s);
}
for (const [key, byWorkers] of groups) {
  const [model, batch] = key.split('|');
  const one = byWorkers.get(1) ?? [];
  for (const [workers, runs] of [...byWorkers].sort((a, b) => a[0] - b[0])) {
    const sps = median(runs.map((r) => r.samplesPerSecond));
    const paired = runs.flatMap((r, i) =>
      one[i] ? [r.samplesPerSecond / one[i].samplesPerSecond] : [],
    );
    console.log(
      JSON.stringify({
        bench: 'workers',
        figure: 'speedup',
        model,
        batch: Number(batch),
        workers,
        repeats: runs.length,
        samplesPerSecond: +sps.toFixed(2),
        allSamplesPerSecond: runs.map((r) => r.samplesPerSecond),
        cpuMsPerStep: median(runs.map((r) => r.cpuMsPerStep)),
        criticalPathCpuMsPerStep: median(runs.map((r) => r.criticalPathCpuMsPerStep)),
        // Load-independent estimate: one worker's critical-path CPU time over this one's.
        criticalPathRatio:
          one.length > 0
            ? +(
                median(one.map((r) => r.criticalPathCpuMsPerStep)) /
                median(runs.map((r) => r.criticalPathCpuMsPerStep))
              ).toFixed(3)
            : null,
        vsOneWorker:
          one.length > 0 ? +(sps / median(one.map((r) => r.samplesPerSecond))).toFixed(3) : null,
        medianPairedRatio: paired.length > 0 ? +median(paired).toFixed(3) : null,
        loadavg1m: runs.map((r) => r.loadavg[0]),
      }),
    );
  }
}
