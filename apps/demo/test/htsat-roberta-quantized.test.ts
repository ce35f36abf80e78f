import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { selectBackend } from '@clapjs/core';
import { ClapModel } from '@clapjs/model';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../scripts/server.mjs';
import { openBrowser, openDemo } from './browser.js';
import { cliPath, DIST } from './fixtures.js';

// An HTSAT + RoBERTa CLAP (the architecture of LAION's and Hugging Face's unfused checkpoints, in
// a small config with random weights), exported for the web with float16 weights by the real CLI
// and loaded by the demo page as `pnpm demo -- --model DIR` serves it.
const CONFIG = {
  audio: { preset: 'laion-unfused', nMels: 32, clipSeconds: 1 },
  audioEncoder: { name: 'htsat', specSize: 128, embedDim: 8, depths: [2, 2], heads: [2, 4] },
  textEncoder: {
    name: 'roberta',
    layers: 2,
    width: 32,
    heads: 2,
    ffn: 64,
    maxPositions: 40,
    tokenTypes: 1,
    padTokenId: 1,
    layerNormEpsilon: 1e-5,
    dropout: 0,
  },
  tokenizer: { name: 'byte-level-bpe', maxLength: 24 },
  audioProjection: { name: 'mlp', dim: 64, activation: 'relu' },
  textProjection: { name: 'mlp', dim: 64, activation: 'relu' },
  similarity: { name: 'cosine', logitScales: 'per-direction', initScale: Math.log(1 / 0.07) },
  loss: { name: 'symmetric-clap' },
};
const LABELS = ['a dog barking', 'rain on a roof', 'a piano chord', 'a low hum'];

/** GPT-2's byte → printable-character map (what byte-level BPE vocabularies are written in). */
function byteSymbols(): string[] {
  const printable = [
    ...Array.from({ length: 94 }, (_, i) => 33 + i),
    ...Array.from({ length: 12 }, (_, i) => 161 + i),
    ...Array.from({ length: 82 }, (_, i) => 174 + i),
  ];
  let extra = 0;
  return Array.from({ length: 256 }, (_, b) =>
    String.fromCodePoint(printable.includes(b) ? b : 256 + extra++),
  );
}

/** A byte-level BPE tokenizer.json: RoBERTa's specials, every byte, a few merges. */
function tokenizerState(): object {
  const vocab: Record<string, number> = { '<s>': 0, '<pad>': 1, '</s>': 2, '<unk>': 3 };
  for (const symbol of byteSymbols()) vocab[symbol] = Object.keys(vocab).length;
  const merges = ['a r', 'o o', 'Ġ a', 'i n'];
  for (const merge of merges) vocab[merge.replace(' ', '')] = Object.keys(vocab).length;
  return {
    name: 'byte-level-bpe',
    tokenizer: {
      version: '1.0',
      added_tokens: ['<s>', '<pad>', '</s>', '<unk>'].map((content, id) => ({
        id,
        content,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      })),
      normalizer: null,
      pre_tokenizer: {
        type: 'ByteLevel',
        add_prefix_space: false,
        trim_offsets: true,
        use_regex: true,
      },
      post_processor: null,
      decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
      model: {
        type: 'BPE',
        dropout: null,
        unk_token: null,
        continuing_subword_prefix: '',
        end_of_word_suffix: '',
        fuse_unk: false,
        vocab,
        merges,
      },
    },
  };
}

/** max|ours − reference| / max|reference|. */
function relativeError(ours: number[][], want: number[][]): number {
  const a = ours.flat();
  const b = want.flat();
  expect(a).toHaveLength(b.length);
  let diff = 0;
  let peak = 0;
  b.forEach((v, i) => {
    diff = Math.max(diff, Math.abs(a[i]! - v));
    peak = Math.max(peak, Math.abs(v));
  });
  return diff / peak;
}

let root: string;
let server: Awaited<ReturnType<typeof startServer>> | undefined;
let browser: Awaited<ReturnType<typeof openBrowser>> | undefined;
let page: Page;
let web: string;

beforeAll(async () => {
  const cli = cliPath();
  if (cli === undefined)
    throw new Error('The clapjs CLI is not built: run `pnpm turbo run build --filter=clapjs`.');
  root = mkdtempSync(join(tmpdir(), 'clapjs-demo-htsat-'));
  await selectBackend('cpu');
  const model = await ClapModel.create(CONFIG, { seed: 4, tokenizerState: tokenizerState() });
  await model.save(join(root, 'model'));
  model.dispose();
  web = join(root, 'web');
  execFileSync(
    process.execPath,
    [cli, 'export', '--format', 'web', '--model', join(root, 'model'), '--out', web].concat([
      '--examples',
      '3',
      '--quantize',
      'float16',
      '--backend',
      'wasm',
    ]),
    { stdio: 'pipe' },
  );
  server = await startServer({ dist: DIST, exportDir: web });
  browser = await openBrowser();
  ({ page } = await openDemo(browser.context, `${server.url}?backend=wasm`));
  const ready = await page.getAttribute('body', 'data-ready');
  if (ready !== 'true')
    throw new Error(`The demo did not load: ${await page.textContent('#fatal')}`);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

describe('an HTSAT + RoBERTa model exported with float16 weights, in the demo (Chromium, wasm)', () => {
  it('embeds and classifies as the same export does in Node', async () => {
    expect(await page.getAttribute('#backend', 'data-backend')).toBe('wasm');
    const inPage = await page.evaluate(async (labels) => {
      const { model, examples } = window.clapjsDemo!;
      const clips = examples.map((e) => e.samples);
      return {
        clips: clips.map((c) => Array.from(c)),
        audio: await model.embedAudio(clips),
        text: await model.embedText(labels),
        ranked: await Promise.all(clips.map((c) => model.zeroShotClassify(c, labels))),
      };
    }, LABELS);
    expect(inPage.audio).toHaveLength(3);
    // Node (cpu backend) loads the same quantized export and embeds the clips the page decoded.
    const model = await ClapModel.load(join(web, 'model'));
    const clips = inPage.clips.map((c) => Float32Array.from(c));
    const audio = await model.embedAudio(clips);
    const text = await model.embedText(LABELS);
    const ranked = await Promise.all(clips.map((c) => model.zeroShotClassify(c, LABELS)));
    const before = tf.memory().numTensors;
    model.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
    expect(relativeError(inPage.audio, audio)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(inPage.text, text)).toBeLessThanOrEqual(1e-4);
    // And close to the float32 model the export was quantized from.
    const float32 = await ClapModel.load(join(root, 'model'));
    const exact = await float32.embedAudio(clips);
    float32.dispose();
    exact.forEach((row, k) => {
      const cosine = row.reduce((sum, x, i) => sum + x * inPage.audio[k]![i]!, 0);
      expect(cosine).toBeGreaterThan(0.9999);
      expect(row).not.toEqual(inPage.audio[k]); // float16 weights do change the embedding
    });
    // The same ranking of the labels, with the same probabilities, for every clip.
    inPage.ranked.forEach((page, k) => {
      expect(page.map((r) => r.label)).toEqual(ranked[k]!.map((r) => r.label));
      page.forEach((r, j) => expect(r.probability).toBeCloseTo(ranked[k]![j]!.probability, 4));
    });
  });
});
