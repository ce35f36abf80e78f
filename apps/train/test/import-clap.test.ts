import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { clapjs, relativeError, tempDir } from './helpers.js';

// packages/checkpoints/fixtures/clap/make-clap-fixtures.py: tiny random HTSAT + RoBERTa CLAP
// models saved by PyTorch as LAION (.pt) and Hugging Face (snapshot folders) save them, with
// PyTorch's embeddings of three clips (0.7 s repeat-padded, exactly 2 s, 3.3 s cropped at 0.8 s)
// and three captions.
const FIXTURES = fileURLToPath(
  new URL('../../../packages/checkpoints/fixtures/clap/', import.meta.url),
);
const reference = JSON.parse(readFileSync(join(FIXTURES, 'references.json'), 'utf8')) as {
  captions: string[];
  cropOffsetSeconds: number;
  fixtures: Record<string, { audioEmbeddings: number[][]; textEmbeddings: number[][] }>;
};
/** The fixtures' front end, as a LAION user gives a file trained on other log-mels. */
const LAION_SET = [
  'audio.sampleRate=8000',
  'audio.nFft=128',
  'audio.winLength=128',
  'audio.hopLength=80',
  'audio.nMels=16',
  'audio.fMax=4000',
  'audio.clipSeconds=2',
  'textEncoder.heads=2',
];

type Item = { kind: 'audio' | 'text'; embedding: number[] };

function embed(model: string, out: string, args: string[]): Item[] {
  const r = clapjs(['embed', ...args, '-m', model, '-o', out, '--backend', 'wasm']);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8')) as Item[];
}

describe.each([
  ['hf', 'hf-small', [join(FIXTURES, 'hf-small')]],
  [
    'laion',
    'laion-tiny',
    [join(FIXTURES, 'laion-tiny.pt'), '--tokenizer', FIXTURES, '--set', ...LAION_SET],
  ],
] as const)('clapjs import --from %s (%s), then clapjs embed', (from, fixture, args) => {
  const dir = tempDir();
  const model = join(dir, 'model');

  it('imports, saying what it read', () => {
    const r = clapjs(['import', '--from', from, ...args, '-o', model, '--backend', 'wasm']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/mapped \d+ tensors/);
    expect(r.stdout).not.toMatch(/not part of this model/);
  });

  it('embed reproduces PyTorch’s audio and text embeddings within 1e-4 relative (wasm + packs)', () => {
    const want = reference.fixtures[fixture]!;
    const items = embed(model, join(dir, 'a.json'), [
      join(FIXTURES, 'clip-short.wav'),
      join(FIXTURES, 'clip-exact.wav'),
      '--text',
      ...reference.captions,
    ]);
    const of = (kind: string) => items.filter((i) => i.kind === kind).map((i) => i.embedding);
    expect(relativeError(of('text'), want.textEmbeddings)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(of('audio'), want.audioEmbeddings.slice(0, 2))).toBeLessThanOrEqual(1e-4);
    // The long clip: the reference's crop, given as --crop-offset.
    const long = embed(model, join(dir, 'b.json'), [
      join(FIXTURES, 'clip-long.wav'),
      '--crop-offset',
      String(reference.cropOffsetSeconds),
    ]);
    expect(relativeError([long[0]!.embedding], [want.audioEmbeddings[2]!])).toBeLessThanOrEqual(
      1e-4,
    );
  });
});

describe('clapjs import --from laion without --tokenizer', () => {
  it('is one line on stderr saying where the files are, exit 2, nothing written', () => {
    const out = join(tempDir(), 'model');
    const r = clapjs([
      'import',
      '--from',
      'laion',
      join(FIXTURES, 'laion-tiny.pt'),
      '--set',
      ...LAION_SET,
      '-o',
      out,
      '--backend',
      'wasm',
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--tokenizer DIR is required: .*vocab\.json \+ merges\.txt/);
    expect(r.stdout).toBe('');
  });
});
