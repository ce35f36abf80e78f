import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { loadConfig, runTraining } from '../src/index.js';
import { tempDir } from './helpers.js';

// The gate: the tiny config, a fixed number of steps, on the synth set.
describe('the tiny config learns', () => {
  const summary = JSON.parse(readFileSync(join(inject('tinyRun'), 'summary.json'), 'utf8')) as {
    metrics: Record<string, number>;
    config: { data: { batchSize: number } };
  };
  const m = summary.metrics;

  it('drives the loss well below chance: mean of the last 10 losses ≤ 0.7·ln N', () => {
    expect(m['loss/last10']).toBeLessThanOrEqual(0.7 * Math.log(summary.config.data.batchSize));
  });

  // Class-balanced top-1 (mean per-class recall): the held-out classes have unequal clip counts,
  // and only this score puts a model that ignores the audio exactly at chance (see the control).
  it('classifies ≥ 200 clips of held-out combinations zero-shot at ≥ 2× chance and ≥ chance + 15 points', () => {
    const top1 = m['zeroshot/balancedTop1'] ?? 0;
    const chance = m['zeroshot/chance'] ?? 1;
    expect(m.items).toBeGreaterThanOrEqual(200);
    expect(top1).toBeGreaterThanOrEqual(2 * chance);
    expect(top1).toBeGreaterThanOrEqual(chance + 0.15);
  });

  it('the shuffled-caption control stays at chance (± 5 points)', async () => {
    const loaded = loadConfig(inject('tinyConfig'));
    const control = {
      ...loaded,
      config: { ...loaded.config, data: { ...loaded.config.data, shuffleCaptions: true } },
    };
    const run = await runTraining(control, {
      out: join(tempDir(), 'control'),
      progress: false,
      log: () => {},
    });
    const chance = run.zeroShot?.chance ?? 0;
    expect(run.zeroShot?.items).toBeGreaterThanOrEqual(200);
    expect(Math.abs((run.zeroShot?.balancedTop1 ?? 1) - chance)).toBeLessThanOrEqual(0.05);
  });
});
