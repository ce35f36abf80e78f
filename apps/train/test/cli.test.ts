import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { clapjs, tempDir } from './helpers.js';

const run = inject('tinyRun');
const model = join(run, 'model');

describe('clapjs CLI on the shared tiny model', () => {
  it('wrote a checkpoint, a JSONL metrics log and an offline HTML report with real charts', () => {
    expect(readdirSync(join(run, 'checkpoints')).some((n) => /^step-\d+$/.test(n))).toBe(true);
    const lines = readFileSync(join(run, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    expect(lines.filter((l) => l.type === 'step').length).toBeGreaterThan(10);
    const html = readFileSync(join(run, 'report.html'), 'utf8');
    expect(html.match(/<svg/g)?.length).toBeGreaterThanOrEqual(4); // loss, lr, confusion, similarity
    expect(html).toContain('Similarity matrix C');
    expect(html).not.toMatch(/(src|href)="https?:/); // nothing fetched: opens offline
  });

  const exported = join(tempDir(), 'web');

  it('export --format web writes the model, example clips and their captions', () => {
    const r = clapjs([
      'export',
      '--format',
      'web',
      '--model',
      model,
      '--out',
      exported,
      '--examples',
      '4',
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const examples = JSON.parse(readFileSync(join(exported, 'examples.json'), 'utf8')) as {
      file: string;
      caption: string;
    }[];
    expect(examples).toHaveLength(4);
    for (const e of examples) expect(existsSync(join(exported, e.file))).toBe(true);
    expect(existsSync(join(exported, 'model', 'config.json'))).toBe(true);
  });

  it('classify prints probabilities that sum to 1, as JSON', () => {
    const examples = JSON.parse(readFileSync(join(exported, 'examples.json'), 'utf8')) as {
      file: string;
    }[];
    const clip = join(exported, examples[0]?.file ?? '');
    const r = clapjs([
      'classify',
      clip,
      '--labels',
      'bright rising,pure falling,white noise',
      '--model',
      model,
      '--json',
    ]);
    expect(r.status).toBe(0);
    const ranked = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '[]') as {
      label: string;
      probability: number;
    }[];
    expect(ranked).toHaveLength(3);
    expect(ranked.reduce((s, x) => s + x.probability, 0)).toBeCloseTo(1, 4);
  });

  it('search ranks a directory of clips against a text; embed prints embeddings', () => {
    const r = clapjs([
      'search',
      '--text',
      'a loud bright tone',
      '--dir',
      join(exported, 'examples'),
      '-k',
      '3',
      '--model',
      model,
    ]);
    expect(r.status).toBe(0);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .filter((l) => l.endsWith('.wav')),
    ).toHaveLength(3);
    const e = clapjs(['embed', '--text', 'a hum', 'a click', '--model', model]);
    expect(e.status).toBe(0);
    const rows = JSON.parse(e.stdout) as { embedding: number[] }[];
    expect(rows).toHaveLength(2);
    expect(Math.hypot(...(rows[0]?.embedding ?? []))).toBeCloseTo(1, 3);
  });

  it('export --format safetensors and tfjs', () => {
    const dir = tempDir();
    expect(
      clapjs(['export', '--format', 'safetensors', '--model', model, '--out', join(dir, 'st')])
        .status,
    ).toBe(0);
    expect(existsSync(join(dir, 'st', 'model.safetensors'))).toBe(true);
    expect(
      clapjs(['export', '--format', 'tfjs', '--model', model, '--out', join(dir, 'tf')]).status,
    ).toBe(0);
    expect(existsSync(join(dir, 'tf', 'model', 'config.json'))).toBe(true);
  });

  it('export --quantize uint8 writes smaller dequantizable weights that embed like the original', () => {
    const dir = tempDir();
    const r = clapjs([
      'export',
      '--format',
      'web',
      '--model',
      model,
      '--out',
      join(dir, 'q8'),
      '--examples',
      '1',
      '--quantize',
      'uint8',
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('uint8 weights');
    const manifest = JSON.parse(readFileSync(join(dir, 'q8', 'model', 'model.json'), 'utf8')) as {
      weightsManifest: { weights: { quantization?: { dtype: string } }[] }[];
    };
    const dtypes = manifest.weightsManifest[0]!.weights.map((w) => w.quantization?.dtype);
    expect(dtypes).toContain('uint8');
    const clip = join(dir, 'q8', 'examples', '00.wav');
    const embed = (m: string): number[] => {
      const e = clapjs(['embed', clip, '--text', 'a hum', '--model', m]);
      expect(e.status, e.stderr).toBe(0);
      return (JSON.parse(e.stdout) as { embedding: number[] }[]).flatMap((row) => row.embedding);
    };
    const [ref, got] = [embed(model), embed(join(dir, 'q8', 'model'))];
    expect(got).not.toEqual(ref); // dequantized weights differ from the float32 ones
    const half = ref.length / 2;
    for (const [from, to] of [
      [0, half],
      [half, ref.length],
    ]) {
      let cosine = 0;
      for (let i = from!; i < to!; i++) cosine += ref[i]! * got[i]!;
      expect(cosine).toBeGreaterThan(0.999);
    }
    const bad = clapjs([
      'export',
      '--format',
      'safetensors',
      '--model',
      model,
      '--out',
      join(dir, 'st'),
      '--quantize',
      'uint8',
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--quantize uint8 applies to --format web or tfjs/);
    const unknown = clapjs([
      'export',
      '--format',
      'web',
      '--model',
      model,
      '--out',
      join(dir, 'x'),
      '--quantize',
      'int4',
    ]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown --quantize "int4"; use float16 or uint8/);
  });

  it('eval prints retrieval and zero-shot metrics as JSON', () => {
    const r = clapjs([
      'eval',
      '--config',
      inject('tinyConfig'),
      '--model',
      model,
      '--split',
      'val',
    ]);
    expect(r.status).toBe(0);
    const metrics = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as Record<string, number>;
    expect(metrics['t2a/R@10']).toBeGreaterThan(metrics['chance/R@10'] ?? 1);
    expect(metrics['a2t/mAP@10']).toBeGreaterThan(0);
  });

  it('data list and data stats', () => {
    expect(clapjs(['data', 'list']).stdout).toMatch(/synth/);
    const stats = clapjs(['data', 'stats', '--config', inject('tinyConfig')]);
    expect(stats.status).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({ dataset: 'synth', size: 1400 });
  });

  it('names a missing model, a missing audio file and an empty label list', () => {
    const dir = tempDir();
    const missingModel = clapjs([
      'classify',
      'x.wav',
      '--labels',
      'a',
      '--model',
      join(dir, 'none'),
    ]);
    expect(missingModel.status).toBe(2);
    expect(missingModel.stderr).toMatch(/No saved model at .*pnpm train/);
    const missingAudio = clapjs([
      'classify',
      join(dir, 'nope.wav'),
      '--labels',
      'a',
      '--model',
      model,
    ]);
    expect(missingAudio.stderr).toMatch(/Audio file not found: .*nope\.wav/);
    const noLabels = clapjs(['classify', 'x.wav', '--labels', ' , ', '--model', model]);
    expect(noLabels.stderr).toMatch(/at least one label/);
    mkdirSync(join(dir, 'empty'));
    writeFileSync(join(dir, 'empty', 'notes.txt'), 'no audio here');
    expect(
      clapjs(['search', '--text', 'x', '--dir', join(dir, 'empty'), '--model', model]).stderr,
    ).toMatch(/No audio files/);
  });
});
