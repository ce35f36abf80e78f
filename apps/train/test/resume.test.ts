import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { loadConfig, runTraining } from '../src/index.js';
import { tempDir } from './helpers.js';

describe('resume', () => {
  it('N steps straight equals N/2, stop, resume, N/2: identical losses', async () => {
    const base = loadConfig(inject('tinyConfig'));
    // Fewer, smaller steps: the point is bit-identical continuation, not learning.
    const loaded = {
      ...base,
      config: {
        ...base.config,
        data: { ...base.config.data, batchSize: 8 },
        train: { ...base.config.train, steps: 8, warmupSteps: 2 },
      },
    };
    const quiet = { progress: false, log: () => {} };
    const straight = await runTraining(loaded, {
      ...quiet,
      out: join(tempDir(), 'straight'),
      stopAt: 8,
    });
    const out = join(tempDir(), 'halves');
    const first = await runTraining(
      {
        ...loaded,
        config: { ...loaded.config, train: { ...loaded.config.train, checkpointEvery: 4 } },
      },
      { ...quiet, out, stopAt: 4 },
    );
    const second = await runTraining(loaded, { ...quiet, out, resume: true, stopAt: 8 });
    expect(first.losses).toHaveLength(4);
    expect([...first.losses, ...second.losses]).toEqual(straight.losses);
  });
});
