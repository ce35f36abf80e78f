import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../scripts/server.mjs';
import { openBrowser, openDemo } from './browser.js';
import { cliPath, DIST } from './fixtures.js';

// packages/checkpoints/fixtures/msclap/make-msclap-2022.py and make-msclap-2023.py: random tiny
// msclap 2022 (CNN14 + BERT) and 2023 (HTS-AT + GPT-2) models saved by PyTorch as upstream saves
// CLAP_weights_2022/2023.pth, with PyTorch's embeddings of their clips and captions. Here:
// `clapjs import`, then `clapjs export --format web`, then the demo page.
const FIXTURES = fileURLToPath(
  new URL('../../../packages/checkpoints/fixtures/msclap/', import.meta.url),
);

interface Reference {
  clips: string[];
  captions: string[];
  audio_embeddings_normalized: number[][];
  text_embeddings_normalized: number[][];
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

// packages/checkpoints/fixtures/clap/make-clap-fixtures.py and make-clap-fused-fixture.py: tiny
// LAION-CLAP / Hugging Face ClapModel checkpoints (HTS-AT + RoBERTa, unfused and fused) with
// PyTorch's outputs for an 0.7 s, an exactly-2 s and a 3.3 s clip (8 kHz).
const CLAP = fileURLToPath(
  new URL('../../../packages/checkpoints/fixtures/clap/', import.meta.url),
);

interface ClapReferences {
  captions: string[];
  fixtures: Record<string, { audioEmbeddings: number[][]; textEmbeddings: number[][] }>;
}

/**
 * A LAION/HF fixture. `clips`: how many of short, exact, long the page gets (the unfused
 * references crop the long clip at 0.8 s, which the page, averaging windows, does not do).
 */
function clapCase(
  file: string,
  fixture: string,
  referenceFile: string,
  args: string[],
  clips: number,
): ImportCase {
  const all = JSON.parse(readFileSync(join(CLAP, referenceFile), 'utf8')) as ClapReferences;
  const want = all.fixtures[fixture]!;
  const names = ['short', 'exact', 'long'].slice(0, clips);
  return {
    args: [...args, join(CLAP, file)],
    clips: names.map((name) => join(CLAP, `clip-${name}.wav`)),
    reference: {
      clips: names,
      captions: all.captions,
      audio_embeddings_normalized: want.audioEmbeddings.slice(0, clips),
      text_embeddings_normalized: want.textEmbeddings,
    },
  };
}

/** The LAION fixtures' small front end and head count (a .pt holds neither). */
const LAION_SETTINGS = [
  ...[
    'sampleRate=8000',
    'nFft=128',
    'winLength=128',
    'hopLength=80',
    'nMels=16',
    'fMax=4000',
    'clipSeconds=2',
  ].flatMap((s) => ['--set', `audio.${s}`]),
  '--set',
  'textEncoder.heads=2',
  '--tokenizer',
  CLAP,
];

/** What to import and what PyTorch gave for it. */
interface ImportCase {
  /** `clapjs import` arguments (the family, the file or snapshot, `--set`, `--tokenizer`). */
  args: string[];
  /** The clip files (absolute paths) the page gets as its library, in reference order. */
  clips: string[];
  reference: Reference;
}

function msclapCase(family: 'msclap-2022' | 'msclap-2023', clips: number): ImportCase {
  const reference = JSON.parse(
    readFileSync(join(FIXTURES, `${family}-tiny.json`), 'utf8'),
  ) as Reference;
  return {
    args: ['--from', family, join(FIXTURES, `${family}-tiny.pth`), '--set', 'textEncoder.heads=2'],
    clips: reference.clips.slice(0, clips).map((clip) => join(FIXTURES, clip)),
    reference,
  };
}

/**
 * Imports a tiny fixture with the CLI, exports it for the web with the case's clips as the page's
 * library, serves the demo and opens it in Chromium on wasm.
 */
function importedDemo(make: () => ImportCase) {
  const importCase = make();
  const state: { page?: Page; reference: Reference } = { reference: importCase.reference };
  let root: string | undefined;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let browser: Awaited<ReturnType<typeof openBrowser>> | undefined;

  beforeAll(async () => {
    const cli = cliPath();
    if (cli === undefined)
      throw new Error('The clapjs CLI is not built: run `pnpm turbo run build --filter=clapjs`.');
    root = mkdtempSync(join(tmpdir(), 'clapjs-demo-import-'));
    const run = (args: string[]) =>
      execFileSync(process.execPath, [cli, ...args, '--backend', 'wasm'], { stdio: 'pipe' });
    const model = join(root, 'model');
    run(['import', ...importCase.args, '-o', model]);
    const web = join(root, 'web');
    run(['export', '--format', 'web', '--model', model, '--out', web, '--examples', '1']);
    // The fixture's clips (WAV) and captions as the page's library, in the format the export
    // writes: the page decodes them itself.
    const examples = importCase.clips.map((clip, k) => {
      const file = `clip-${k}.wav`;
      copyFileSync(clip, join(web, 'examples', file));
      return { file: `examples/${file}`, caption: importCase.reference.captions[k] ?? '' };
    });
    writeFileSync(join(web, 'examples.json'), JSON.stringify(examples));
    server = await startServer({ dist: DIST, exportDir: web });
    browser = await openBrowser();
    const { page } = await openDemo(browser.context, `${server.url}?backend=wasm`);
    const ready = await page.getAttribute('body', 'data-ready');
    if (ready !== 'true')
      throw new Error(`The demo did not load: ${await page.textContent('#fatal')}`);
    state.page = page;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });
  return state;
}

/** The page's embeddings of its library's clips and of `captions`. */
async function pageEmbeddings(page: Page, captions: string[]) {
  expect(await page.getAttribute('#backend', 'data-backend')).toBe('wasm');
  return page.evaluate(async (texts) => {
    const { model, examples } = window.clapjsDemo!;
    return {
      audio: await model.embedAudio(examples.map((e) => e.samples)),
      text: await model.embedText(texts),
    };
  }, captions);
}

describe('an imported msclap 2022 checkpoint in the demo (Chromium, wasm backend)', () => {
  const demo = importedDemo(() => msclapCase('msclap-2022', 2));
  it('reproduces PyTorch’s audio and text embeddings within 1e-4 relative', async () => {
    const { reference } = demo;
    const { audio, text } = await pageEmbeddings(demo.page!, reference.captions);
    expect(relativeError(text, reference.text_embeddings_normalized)).toBeLessThanOrEqual(1e-4);
    // clip-b (1.5 s) is tiled then cut to 5 s in the page too: the imported preset's padding.
    expect(relativeError(audio, reference.audio_embeddings_normalized)).toBeLessThanOrEqual(1e-4);
  });
});

describe('an imported msclap 2023 checkpoint in the demo (Chromium, wasm backend)', () => {
  // The short clips only: the page averages a long clip's windows instead of msclap's crop.
  const demo = importedDemo(() => msclapCase('msclap-2023', 2));
  it('reproduces PyTorch’s GPT-2 text and HTS-AT audio embeddings within 1e-4 relative', async () => {
    const { reference } = demo;
    const { audio, text } = await pageEmbeddings(demo.page!, reference.captions);
    expect(relativeError(text, reference.text_embeddings_normalized)).toBeLessThanOrEqual(1e-4);
    expect(
      relativeError(audio, reference.audio_embeddings_normalized.slice(0, 2)),
    ).toBeLessThanOrEqual(1e-4);
  });
});

describe.each([
  [
    'a Hugging Face snapshot (unfused)',
    () => clapCase('hf-small', 'hf-small', 'references.json', ['--from', 'hf'], 2),
  ],
  [
    'a fused Hugging Face snapshot',
    () => clapCase('hf-fused', 'hf-fused', 'references-fused.json', ['--from', 'hf'], 3),
  ],
  [
    'a fused LAION-CLAP .pt',
    () =>
      clapCase(
        'laion-fused-tiny.pt',
        'laion-fused-tiny',
        'references-fused.json',
        ['--from', 'laion', ...LAION_SETTINGS],
        3,
      ),
  ],
] as const)('%s imported, in the demo (Chromium, wasm backend)', (_, make) => {
  // Fused models take each clip whole (the 3.3 s clip through the four-channel fusion input with
  // the default crops, as the references were made); unfused ones get the short and exact clips.
  const demo = importedDemo(make);
  it('reproduces PyTorch’s RoBERTa text and HTS-AT audio embeddings within 1e-4 relative', async () => {
    const { reference } = demo;
    const { audio, text } = await pageEmbeddings(demo.page!, reference.captions);
    expect(relativeError(text, reference.text_embeddings_normalized)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(audio, reference.audio_embeddings_normalized)).toBeLessThanOrEqual(1e-4);
  });
});
