// Reads run.sh's JSON lines on stdin and prints, per batch, each clapjs route's throughput against
// PyTorch's best setting (thread count and allocator, peer-env.sh) and against every setting.
import { readFileSync } from 'node:fs';

const lines = readFileSync(0, 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('{'))
  .map((l) => JSON.parse(l));
const summaries = lines.filter((l) => l.figure === 'summary');
const settingOf = (p) =>
  `${p.threads} thread${p.threads === 1 ? '' : 's'}, ${p.allocator ?? 'default'} allocator`;
for (const batch of new Set(summaries.map((s) => s.batch))) {
  const peers = summaries.filter((s) => s.engine.startsWith('pytorch') && s.batch === batch);
  if (peers.length === 0) continue;
  const best = peers.reduce((a, b) => (b.samplesPerSecond > a.samplesPerSecond ? b : a));
  for (const ours of summaries.filter((s) => s.engine.startsWith('tfjs') && s.batch === batch)) {
    console.log(
      JSON.stringify({
        bench: 'clap-mini',
        figure: 'ratio',
        batch,
        clapjs: ours.engine,
        clapjsMsPerStep: ours.msPerStep,
        bestPeer: `${best.engine} (${settingOf(best)})`,
        bestPeerMsPerStep: best.msPerStep,
        ratio: Number((ours.samplesPerSecond / best.samplesPerSecond).toFixed(3)),
        perSetting: Object.fromEntries(
          peers.map((p) => [
            settingOf(p),
            Number((ours.samplesPerSecond / p.samplesPerSecond).toFixed(3)),
          ]),
        ),
      }),
    );
  }
}
