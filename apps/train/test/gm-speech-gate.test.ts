import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clapjs, tempDir } from './helpers.js';

// Issue 6's CI gate: a small rendered gm-speech set (real GM instruments + espeak-ng speech), a
// short fixed-step training, zero-shot on the held-out instrument × melody-shape combinations, and
// the same run with captions shuffled across clips as the control. Seeds are pinned: with 40
// held-out clips the figures move by several points from one build seed to another (docs/RESULTS.md).
const tinyConfig = (name: string, shuffleCaptions: boolean) => `name: ${name}
seed: 1
backend: wasm
model:
  audio: { preset: fast }
  audioEncoder: { name: cnn-small, channels: [8, 16, 32, 64], dropout: 0 }
  textEncoder: { name: bag-of-embeddings, width: 64 }
  tokenizer: { name: word, maxLength: 16 }
  audioProjection: { name: linear, dim: 64 }
  textProjection: { name: linear, dim: 64 }
  similarity: { name: cosine }
  loss: { name: symmetric-clap }
data:
  root: ./gm
  dataset: { name: manifest, path: manifest.jsonl }
  batchSize: 16
  shuffleCaptions: ${shuffleCaptions}
train:
  steps: 200
  lr: 0.005
  warmupSteps: 10
eval:
  split: test
  maxItems: 600
`;

function heldOutZeroShot(
  dir: string,
  run: string,
): { top1: number; chance: number; classes: number } {
  const r = clapjs([
    'eval',
    '--config',
    join(dir, 'gm', 'eval-heldout-combos.json'),
    '--model',
    join(dir, run, 'model'),
    '--split',
    'test',
  ]);
  expect(r.status, r.stderr).toBe(0);
  const metrics = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as Record<string, number>;
  return {
    top1: metrics['zeroshot/top1'] ?? NaN,
    chance: metrics['zeroshot/chance'] ?? NaN,
    classes: metrics['zeroshot/classes'] ?? 0,
  };
}

describe('gm-speech: a 300-clip rendered set learns held-out combinations (the learning gate)', () => {
  it('beats chance on held-out combinations; the shuffled-caption control does not', () => {
    const dir = tempDir('clapjs-gm-gate-');
    const built = clapjs([
      'data',
      'build',
      'gm-speech',
      '--out',
      join(dir, 'gm'),
      '--clips',
      '300',
      '--seed',
      '1',
    ]);
    expect(built.status, built.stderr).toBe(0);
    for (const [name, shuffled] of [
      ['learn', false],
      ['control', true],
    ] as const) {
      writeFileSync(join(dir, `${name}.yaml`), tinyConfig(name, shuffled));
      const trained = clapjs([
        'train',
        '--config',
        join(dir, `${name}.yaml`),
        '--out',
        join(dir, name),
        '--no-progress',
      ]);
      expect(trained.status, trained.stderr).toBe(0);
    }
    const learned = heldOutZeroShot(dir, 'learn');
    const control = heldOutZeroShot(dir, 'control');
    expect(learned.classes).toBeGreaterThanOrEqual(10);
    expect(learned.top1).toBeGreaterThanOrEqual(2 * learned.chance);
    expect(learned.top1).toBeGreaterThanOrEqual(learned.chance + 0.15);
    expect(Math.abs(control.top1 - control.chance)).toBeLessThanOrEqual(0.05);
  }, 900_000);
});
