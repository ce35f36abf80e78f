import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clapjs, tempDir } from './helpers.js';

describe('clapjs data build', () => {
  it('renders a small gm-speech set through the CLI: WAVs, a manifest and a summary', () => {
    const out = join(tempDir(), 'gm');
    const r = clapjs(['data', 'build', 'gm-speech', '--out', out, '--clips', '12', '--seed', '3']);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as {
      dataset: string;
      clips: number;
    };
    expect(summary).toMatchObject({ dataset: 'gm-speech', clips: 12 });
    const rows = readFileSync(join(out, 'manifest.jsonl'), 'utf8').trim().split('\n');
    expect(rows.length).toBeGreaterThan(0);
    const first = JSON.parse(rows[0] ?? '{}') as { path: string };
    expect(existsSync(join(out, first.path))).toBe(true);
  });

  it('refuses an unknown dataset name and a bad clip count, saying what to use', () => {
    const unknown = clapjs(['data', 'build', 'esc-51', '--out', tempDir()]);
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain('choose gm-speech or real-eval');
    const bad = clapjs([
      'data',
      'build',
      'gm-speech',
      '--out',
      join(tempDir(), 'x'),
      '--clips',
      '0',
    ]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('--clips must be a whole number');
  });
});
