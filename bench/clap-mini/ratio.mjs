// Reads run.sh's JSON lines on stdin and prints the clapjs / PyTorch throughput ratios.
import { readFileSync } from 'node:fs';

const lines = readFileSync(0, 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('{'))
  .map((l) => JSON.parse(l));
const summaries = lines.filter((l) => l.figure === 'summary');
for (const peer of summaries.filter((s) => s.engine.startsWith('pytorch'))) {
  for (const ours of summaries.filter(
    (s) => s.engine.startsWith('tfjs') && s.batch === peer.batch,
  )) {
    console.log(
      JSON.stringify({
        bench: 'clap-mini',
        figure: 'ratio',
        batch: peer.batch,
        clapjs: ours.engine,
        peer: `${peer.engine} (${peer.threads} thread${peer.threads === 1 ? '' : 's'})`,
        ratio: Number((ours.samplesPerSecond / peer.samplesPerSecond).toFixed(3)),
      }),
    );
  }
}
