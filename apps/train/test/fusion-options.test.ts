import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { clapjs, relativeError, tempDir } from './helpers.js';

// `clapjs embed|classify --fusion-crops F1,F2,F3 --is-longer true|false`: the crops and flag
// LAION-CLAP's fused models draw at random, given per file. The reference is
// packages/checkpoints/fixtures/clap/make-clap-fused-fixture.py's `given` section: PyTorch's
// embeddings of the tiny fused HF snapshot for the 3.3 s clip with crops drawn as upstream draws
// them, and for the 0.7 s and 2 s clips each marked is_longer (what Hugging Face's extractor does
// to the only clip of a batch without a long one).
const FIXTURES = fileURLToPath(
  new URL('../../../packages/checkpoints/fixtures/clap/', import.meta.url),
);
const reference = JSON.parse(readFileSync(join(FIXTURES, 'references-fused.json'), 'utf8')) as {
  captions: string[];
  fixtures: Record<
    string,
    { audioEmbeddings: number[][]; textEmbeddings: number[][]; logitsPerAudio: number[][] }
  >;
  given: {
    longCrops: number[];
    audioEmbeddings: Record<'long' | 'short-longer' | 'exact-longer', number[]>;
  };
};
const clip = (name: string) => join(FIXTURES, `clip-${name}.wav`);
const dir = tempDir();
const model = join(dir, 'hf-fused');

type Item = { kind: 'audio' | 'text'; embedding: number[] };

/** `clapjs embed` on the imported fused model; its JSON items. */
function embed(args: string[], out = join(dir, 'embed.json')): Item[] {
  const r = clapjs(['embed', ...args, '-m', model, '-o', out, '--backend', 'wasm']);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8')) as Item[];
}

/** A refused command: exit 2, one line on stderr, no stack; the line. */
function refused(args: string[]): string {
  const r = clapjs([...args, '--backend', 'wasm']);
  expect(r.status, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

beforeAll(() => {
  const r = clapjs(['import', '--from', 'hf', join(FIXTURES, 'hf-fused'), '-o', model]);
  expect(r.status, r.stderr).toBe(0);
}, 120_000);

describe('clapjs embed --fusion-crops / --is-longer on a fused model', () => {
  it('reproduces PyTorch with the given crops and flags within 1e-4 (and differs from the defaults)', () => {
    const crops = reference.given.longCrops.join(',');
    const items = embed([
      clip('long'),
      clip('short'),
      clip('exact'),
      '--fusion-crops',
      crops,
      '-',
      '-',
      '--is-longer',
      '-',
      'true',
      'true',
    ]);
    const [long, short, exact] = items.map((i) => i.embedding);
    const want = reference.given.audioEmbeddings;
    const defaults = reference.fixtures['hf-fused']!.audioEmbeddings;
    const errors = {
      long: relativeError(long!, want.long),
      short: relativeError(short!, want['short-longer']),
      exact: relativeError(exact!, want['exact-longer']),
      longVsDefault: relativeError(long!, defaults[2]!),
      shortVsDefault: relativeError(short!, defaults[0]!),
    };
    console.info(`--fusion-crops / --is-longer vs PyTorch: ${JSON.stringify(errors)}`);
    expect(errors.long).toBeLessThanOrEqual(1e-4);
    expect(errors.short).toBeLessThanOrEqual(1e-4);
    expect(errors.exact).toBeLessThanOrEqual(1e-4);
    // The options took effect: PyTorch's embeddings with the default crops and flags are well
    // past the tolerance (other crops move this tiny model's embedding by ~1e-3).
    expect(errors.longVsDefault).toBeGreaterThan(5e-4);
    expect(errors.shortVsDefault).toBeGreaterThan(5e-4);
    const plain = embed([clip('long'), clip('short')], join(dir, 'plain.json'));
    expect(relativeError(plain[0]!.embedding, defaults[2]!)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(plain[1]!.embedding, defaults[0]!)).toBeLessThanOrEqual(1e-4);
  });

  it('classify takes them too: the probabilities of PyTorch’s embeddings', () => {
    const r = clapjs([
      'classify',
      clip('long'),
      '--labels',
      reference.captions.join(','),
      '--template',
      '{label}',
      '--json',
      '-m',
      model,
      '--backend',
      'wasm',
      '--fusion-crops',
      reference.given.longCrops.join(','),
    ]);
    expect(r.status, r.stderr).toBe(0);
    const shown = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      label: string;
      probability: number;
    }[];
    // The captions hold commas, so classify splits them into more labels: score what it shows.
    const labels = reference.captions
      .join(',')
      .split(',')
      .map((l) => l.trim());
    expect(shown.map((s) => s.label).sort()).toEqual([...labels].sort());
    const texts = embed(['--text', ...labels], join(dir, 'labels.json')).map((i) => i.embedding);
    // logit_scale_a from the reference: logits per audio / cosine of the reference embeddings.
    const fixture = reference.fixtures['hf-fused']!;
    const cosine = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);
    const scale =
      fixture.logitsPerAudio[0]![0]! /
      cosine(fixture.audioEmbeddings[0]!, fixture.textEmbeddings[0]!);
    const logits = texts.map((t) => scale * cosine(reference.given.audioEmbeddings.long, t));
    const peak = Math.max(...logits);
    const exp = logits.map((l) => Math.exp(l - peak));
    const sum = exp.reduce((a, b) => a + b, 0);
    labels.forEach((label, k) =>
      expect(
        Math.abs(shown.find((s) => s.label === label)!.probability - exp[k]! / sum),
      ).toBeLessThan(1e-4),
    );
  });

  it('refuses bad values with exit 2 and one line naming the option, the file and the fix', () => {
    const long = clip('long');
    expect(refused(['embed', long, '-m', model, '--fusion-crops', '4,69'])).toMatch(
      /--fusion-crops 4,69 is not three whole frame numbers; give the front, middle and back crops' first log-mel frames/,
    );
    expect(refused(['embed', long, '-m', model, '--fusion-crops', '0,0,131'])).toMatch(
      /--fusion-crops 0,0,131 is out of range for .*clip-long\.wav: its 331-frame log-mel with 201-frame windows takes crops from 0 to 130 \(the originals draw them from 0–43, 44–87, 88–130\)/,
    );
    expect(
      refused(['embed', long, clip('short'), '-m', model, '--fusion-crops', '1,50,100']),
    ).toMatch(/--fusion-crops got 1 value for 2 audio files; give one per file/);
    expect(refused(['embed', clip('short'), '-m', model, '--fusion-crops', '0,0,0'])).toMatch(
      /a 0\.700 s clip is no longer than the model's 2 s window, so it has no crops; give - for it/,
    );
    expect(refused(['classify', long, '-l', 'a,b', '-m', model, '--is-longer', 'yes'])).toMatch(
      /--is-longer yes is not true, false or -/,
    );
    expect(
      refused(['embed', long, '-m', model, '--is-longer', 'true', '--crop-offset', '0.5']),
    ).toMatch(/--crop-offset embeds one window; --fusion-crops \/ --is-longer describe/);
  });

  it('refuses them on a model without fusion input (exit 2), rather than ignoring them', () => {
    const plain = join(inject('tinyRun'), 'model');
    expect(refused(['embed', clip('short'), '-m', plain, '--is-longer', 'true'])).toMatch(
      /--fusion-crops \/ --is-longer are for models with fusion input .* takes log-mel windows: drop them/,
    );
  });
});
