import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../../../apps/train/dist/cli.js', import.meta.url));
const config = fileURLToPath(new URL('../configs/train-with-plugins.yaml', import.meta.url));

describe('the clapjs CLI with this package listed under plugins', () => {
  it('trains 5 steps with the third-party encoders and saves a model that names them', () => {
    const out = mkdtempSync(join(tmpdir(), 'clapjs-plugins-'));
    const run = spawnSync(
      process.execPath,
      [cli, 'train', '--config', config, '--out', out, '--no-progress'],
      {
        encoding: 'utf8',
        timeout: 240_000,
      },
    );
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    const saved = JSON.parse(readFileSync(join(out, 'model', 'config.json'), 'utf8')) as {
      model?: { audioEncoder: { name: string }; textEncoder: { name: string } };
      audioEncoder?: { name: string };
      textEncoder?: { name: string };
    };
    const model = saved.model ?? saved;
    expect(model.audioEncoder?.name).toBe('frame-attention');
    expect(model.textEncoder?.name).toBe('position-max');
    const steps = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; loss?: number })
      .filter((row) => row.type === 'step');
    expect(steps).toHaveLength(5);
    expect(steps.every((row) => Number.isFinite(row.loss))).toBe(true);
  });
});
