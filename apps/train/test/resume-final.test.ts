// Resuming a run that already reached its last step trains nothing: it says so instead of
// reporting "mean loss of the last 10 steps 0.000", and metrics.jsonl keeps one line per step.
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { loadConfig, runTraining } from '../src/index.js';
import { tempDir } from './helpers.js';

describe('resume at the final step', () => {
  it('reports that no steps ran and keeps metrics.jsonl free of duplicates', async () => {
    const run = inject('tinyRun');
    const out = join(tempDir(), 'again');
    cpSync(join(run, 'checkpoints'), join(out, 'checkpoints'), { recursive: true });
    cpSync(join(run, 'metrics.jsonl'), join(out, 'metrics.jsonl'));
    const lines: string[] = [];
    const summary = await runTraining(loadConfig(inject('tinyConfig')), {
      out,
      resume: true,
      progress: false,
      log: (line) => lines.push(line),
    });
    expect(summary.losses).toEqual([]);
    expect(summary.metrics['loss/last10']).toBeUndefined();
    expect(lines.join('\n')).toMatch(
      /resumed from step 200: the run already reached its 200 steps/,
    );
    expect(lines.join('\n')).toMatch(/no steps trained in this process/);
    const steps = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; step: number })
      .filter((r) => r.type === 'step')
      .map((r) => r.step);
    expect(new Set(steps).size).toBe(steps.length);
  });
});
