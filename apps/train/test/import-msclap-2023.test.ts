import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { clapjs, relativeError, tempDir } from './helpers.js';

// packages/checkpoints/fixtures/msclap/make-msclap-2023.py: a random tiny msclap 2023 model (HTS-AT
// + GPT-2) saved by PyTorch as upstream saves CLAP_weights_2023.pth, with PyTorch's embeddings of
// two short clips, a crop of a long 8 kHz clip and three captions (one ends in '!').
const FIXTURES = fileURLToPath(
  new URL('../../../packages/checkpoints/fixtures/msclap/', import.meta.url),
);
const reference = JSON.parse(readFileSync(join(FIXTURES, 'msclap-2023-tiny.json'), 'utf8')) as {
  clips: string[];
  crop_offsets: (number | null)[];
  captions: string[];
  audio_embeddings_normalized: number[][];
  text_embeddings_normalized: number[][];
};

type Item = { kind: 'audio' | 'text'; embedding: number[] };

describe('clapjs import --from msclap-2023, then embed', () => {
  const dir = tempDir();
  const model = join(dir, 'msclap-2023');

  function embed(args: string[]): Item[] {
    const out = join(dir, 'embeddings.json');
    const r = clapjs(['embed', ...args, '-m', model, '-o', out, '--backend', 'wasm']);
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(readFileSync(out, 'utf8')) as Item[];
  }

  it('imports the fixture, reporting the unused tagging head and GPT-2 mask buffers', () => {
    const r = clapjs([
      'import',
      '--from',
      'msclap-2023',
      join(FIXTURES, 'msclap-2023-tiny.pth'),
      '-o',
      model,
      '--set',
      'textEncoder.heads=2',
      '--backend',
      'wasm',
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/AudioSet tagging head/);
    expect(r.stdout).toMatch(/GPT-2 causal-mask buffer/);
    expect(r.stdout).toMatch(/tokenizer\.maxLength = 77/);
  });

  it('embed reproduces PyTorch’s text and short-clip embeddings within 1e-4 relative', () => {
    const items = embed([
      join(FIXTURES, reference.clips[0]!),
      join(FIXTURES, reference.clips[1]!),
      '--text',
      ...reference.captions,
    ]);
    const of = (kind: string) => items.filter((i) => i.kind === kind).map((i) => i.embedding);
    expect(relativeError(of('text'), reference.text_embeddings_normalized)).toBeLessThanOrEqual(
      1e-4,
    );
    expect(
      relativeError(of('audio'), reference.audio_embeddings_normalized.slice(0, 2)),
    ).toBeLessThanOrEqual(1e-4);
  });

  it('embed --crop-offset reproduces msclap’s 7 s crop of a long 8 kHz clip (resampled to 44.1 kHz)', () => {
    const offset = reference.crop_offsets[2]!;
    const items = embed([join(FIXTURES, reference.clips[2]!), '--crop-offset', String(offset)]);
    expect(
      relativeError([items[0]!.embedding], [reference.audio_embeddings_normalized[2]!]),
    ).toBeLessThanOrEqual(1e-4);
  });
});
