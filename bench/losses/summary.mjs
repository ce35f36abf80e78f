// Reads bench/losses' JSON lines and prints one summary line: PyTorch ms / clapjs ms per figure.
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

const rows = readFileSync(process.argv[2], 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line));
const ratios = {};
for (const row of rows.filter((r) => r.engine.startsWith('clapjs'))) {
  // Against PyTorch's fastest setting (thread count and allocator).
  const torch = rows
    .filter((r) => r.engine.startsWith('pytorch') && r.loss === row.loss)
    .sort((a, b) => a.ms_median - b.ms_median)[0];
  ratios[`${row.loss} ${row.engine.replace('clapjs ', '')} ${row.variant}`] =
    Math.round((torch.ms_median / row.ms_median) * 1000) / 1000;
}
console.log(
  JSON.stringify({
    bench: 'losses',
    summary: 'fastest pytorch_ms / clapjs_ms (> 1: clapjs faster)',
    date: new Date().toISOString(),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown cpu'}, node ${process.version}`,
    ratios,
    // Other work on the machine inflates every figure; record how busy it was.
    load_average_1_5_15: loadavg().map((l) => Math.round(l * 100) / 100),
  }),
);
