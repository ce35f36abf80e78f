import type { EvaluationResult } from '@clapjs/trainer';
import type { ZeroShotMetrics } from '@clapjs/trainer';
import { heatmap, lineChart } from './charts.js';

/** What the run report shows. */
export interface ReportInput {
  readonly name: string;
  readonly date: string;
  readonly backend: string;
  readonly seconds: number;
  readonly config: unknown;
  readonly steps: readonly { step: number; loss: number; lr: number }[];
  readonly evaluation?: EvaluationResult;
  readonly zeroShot?: ZeroShotMetrics;
  readonly zeroShotAll?: ZeroShotMetrics;
  readonly batchSize: number;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

function metricsTable(ev: EvaluationResult, input: ReportInput): string {
  const rows: [string, string, string][] = [
    ['text→audio R@1', pct(ev.textToAudio.r1), pct(1 / ev.items)],
    ['text→audio R@5', pct(ev.textToAudio.r5), pct(Math.min(1, 5 / ev.items))],
    ['text→audio R@10', pct(ev.textToAudio.r10), pct(Math.min(1, 10 / ev.items))],
    ['text→audio mAP@10', ev.textToAudio.mAP10.toFixed(3), '–'],
    ['audio→text R@1', pct(ev.audioToText.r1), pct(1 / ev.items)],
    ['audio→text R@5', pct(ev.audioToText.r5), pct(Math.min(1, 5 / ev.items))],
    ['audio→text R@10', pct(ev.audioToText.r10), pct(Math.min(1, 10 / ev.items))],
    ['audio→text mAP@10', ev.audioToText.mAP10.toFixed(3), '–'],
  ];
  for (const [label, z] of [
    ['zero-shot (held-out combinations)', input.zeroShot],
    ['zero-shot (all combinations)', input.zeroShotAll],
  ] as const) {
    if (z === undefined) continue;
    rows.push([
      `${label} top-1 (${z.items} clips, ${z.classes.length} classes)`,
      pct(z.top1),
      pct(z.chance),
    ]);
    rows.push([`${label} class-balanced top-1`, pct(z.balancedTop1), pct(z.chance)]);
  }
  return `<table><thead><tr><th>metric</th><th>value</th><th>chance</th></tr></thead><tbody>${rows
    .map((r) => `<tr><td>${escapeHtml(r[0])}</td><td>${r[1]}</td><td>${r[2]}</td></tr>`)
    .join(
      '',
    )}</tbody></table><p class="note">Retrieval over ${ev.items} test items, one caption each (laion_clap's definitions).</p>`;
}

/**
 * A self-contained HTML report (inline SVG charts drawn by ECharts server-side, inline CSS, no
 * scripts and no external requests): loss and learning-rate curves, retrieval metrics beside
 * chance, the zero-shot confusion matrix and one batch's similarity matrix C.
 */
export function renderReport(input: ReportInput): string {
  const loss = input.steps
    .filter((s) => Number.isFinite(s.loss))
    .map((s) => [s.step, s.loss] as [number, number]);
  const sections: string[] = [];
  sections.push(
    `<section><h2>Training</h2>${lineChart(
      'Loss',
      [
        { name: 'loss', points: loss },
        {
          name: `ln N (chance, N = ${input.batchSize})`,
          points:
            loss.length > 0
              ? [
                  [loss[0]?.[0] ?? 0, Math.log(input.batchSize)],
                  [loss.at(-1)?.[0] ?? 0, Math.log(input.batchSize)],
                ]
              : [],
        },
      ],
      'loss',
    )}${lineChart(
      'Learning rate',
      [{ name: 'lr', points: input.steps.map((s) => [s.step, s.lr]) }],
      'lr',
    )}</section>`,
  );
  const ev = input.evaluation;
  if (ev !== undefined)
    sections.push(`<section><h2>Test metrics</h2>${metricsTable(ev, input)}</section>`);
  const z = input.zeroShot;
  if (z !== undefined) {
    sections.push(
      `<section><h2>Zero-shot confusion matrix</h2><p class="note">Held-out combinations (never in a training caption): rows true class, columns predicted; ${z.items} clips.</p>${heatmap(
        'Zero-shot confusion (counts)',
        z.classes,
        z.classes,
        z.confusion,
        { xName: 'predicted', yName: 'true', decimals: 0 },
      )}</section>`,
    );
  }
  if (ev?.sample !== undefined) {
    sections.push(
      `<section><h2>Similarity matrix C of one test batch</h2><p class="note">C = exp(s)·E<sub>t</sub>E<sub>a</sub><sup>T</sup>: rows are texts, columns audios; the diagonal holds the matching pairs. Softmax along a row gives text→audio, along a column audio→text.</p>${heatmap(
        'C (logits)',
        ev.sample.texts,
        ev.sample.audios,
        ev.sample.logits,
        { xName: 'audio', yName: 'text', decimals: 1 },
      )}</section>`,
    );
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>clapjs run ${escapeHtml(input.name)}</title>
<style>body{font:14px/1.5 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}td:first-child,th:first-child{text-align:left}
.note{color:#555;font-size:12px}pre{background:#f6f6f6;padding:1em;overflow:auto;font-size:12px}svg{max-width:100%;height:auto}</style></head>
<body><h1>clapjs run “${escapeHtml(input.name)}”</h1>
<p>${escapeHtml(input.date)} · backend ${escapeHtml(input.backend)} · ${input.steps.length} steps in ${input.seconds.toFixed(0)} s</p>
${sections.join('\n')}
<section><h2>Config</h2><pre>${escapeHtml(JSON.stringify(input.config, null, 2))}</pre></section>
</body></html>
`;
}
