import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { clapjs, relativeError, tempDir } from './helpers.js';

// packages/checkpoints/fixtures/msclap/make-msclap-2022.py: a random tiny msclap 2022 model saved
// by PyTorch as upstream saves CLAP_weights_2022.pth, with PyTorch's embeddings of two clips and
// two captions.
const FIXTURES = fileURLToPath(
  new URL('../../../packages/checkpoints/fixtures/msclap/', import.meta.url),
);
const reference = JSON.parse(readFileSync(join(FIXTURES, 'msclap-2022-tiny.json'), 'utf8')) as {
  clips: string[];
  captions: string[];
  audio_embeddings_normalized: number[][];
  text_embeddings_normalized: number[][];
};

describe('clapjs import --from msclap-2022, then the other commands on the result', () => {
  const dir = tempDir();
  const model = join(dir, 'msclap');
  const report = join(dir, 'report.json');

  it('imports the fixture, reporting every tensor', () => {
    const r = clapjs([
      'import',
      '--from',
      'msclap-2022',
      join(FIXTURES, 'msclap-2022-tiny.pth'),
      '-o',
      model,
      '--set',
      'textEncoder.heads=2',
      '--report',
      report,
      '--backend',
      'wasm',
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/mapped 112 tensors/);
    expect(r.stdout).toMatch(/unused: 2 tensor\(s\): AudioSet classification head/);
    expect(r.stdout).toMatch(/textEncoder\.heads = 2 {2}\(--set\)/);
    const json = JSON.parse(readFileSync(report, 'utf8')) as { unused: { name: string }[] };
    expect(json.unused.map((u) => u.name)).toContain('model.audio_encoder.base.fc_audioset.weight');
  });

  it('embed reproduces PyTorch’s audio and text embeddings within 1e-4 relative (wasm + packs)', () => {
    const out = join(dir, 'embeddings.json');
    const r = clapjs([
      'embed',
      ...reference.clips.map((c) => join(FIXTURES, c)),
      '--text',
      ...reference.captions,
      '-m',
      model,
      '-o',
      out,
      '--backend',
      'wasm',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const items = JSON.parse(readFileSync(out, 'utf8')) as {
      kind: 'audio' | 'text';
      embedding: number[];
    }[];
    const of = (kind: string) => items.filter((i) => i.kind === kind).map((i) => i.embedding);
    expect(relativeError(of('text'), reference.text_embeddings_normalized)).toBeLessThanOrEqual(
      1e-4,
    );
    // clip-b (1.5 s) is tiled then cut to 5 s, as msclap pads: the preset's padding.
    expect(relativeError(of('audio'), reference.audio_embeddings_normalized)).toBeLessThanOrEqual(
      1e-4,
    );
  });

  it('classify uses the imported model unchanged', () => {
    const r = clapjs([
      'classify',
      join(FIXTURES, 'clip-a.wav'),
      '--labels',
      'dog,rain',
      '--json',
      '-m',
      model,
      '--backend',
      'wasm',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const ranked = JSON.parse(r.stdout) as { label: string; probability: number }[];
    expect(ranked.map((x) => x.label).sort()).toEqual(['dog', 'rain']);
  });

  it('--from auto says what it recognised, in the fp16 file with optimizer state', () => {
    const r = clapjs([
      'import',
      '--from',
      'auto',
      join(FIXTURES, 'msclap-2022-tiny-fp16-adam.pth'),
      '-o',
      join(dir, 'fp16'),
      '--set',
      'textEncoder.heads=2',
      '--backend',
      'wasm',
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/--from auto: recognised msclap-2022/);
    expect(r.stdout).toMatch(/outside the state dict \(optimizer state/);
  });

  it('bad input: one line on stderr, exit 2, nothing written', () => {
    for (const args of [
      ['--set', 'textEncoder.heads=2', 'audioEncoder.width=0.0625'],
      ['--set', 'heads=2'],
      ['--set', 'textEncoder.heads=2', 'audio.fMax=8000'],
    ]) {
      const out = join(dir, `bad-${args.length}-${args[1]!.length}`);
      const r = clapjs([
        'import',
        '--from',
        'msclap-2022',
        join(FIXTURES, 'msclap-2022-tiny.pth'),
        '-o',
        out,
        '--backend',
        'wasm',
        ...args,
      ]);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^clapjs: /);
      expect(existsSync(out)).toBe(false);
    }
  });
});
