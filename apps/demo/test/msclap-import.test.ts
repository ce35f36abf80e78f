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

// packages/checkpoints/fixtures/msclap/make-msclap-2022.py: a random tiny msclap 2022 model saved
// by PyTorch as upstream saves CLAP_weights_2022.pth, with PyTorch's embeddings of two clips and
// two captions. Here: `clapjs import`, then `clapjs export --format web`, then the demo page.
const FIXTURES = fileURLToPath(
  new URL('../../../packages/checkpoints/fixtures/msclap/', import.meta.url),
);
const reference = JSON.parse(readFileSync(join(FIXTURES, 'msclap-2022-tiny.json'), 'utf8')) as {
  clips: string[];
  captions: string[];
  audio_embeddings_normalized: number[][];
  text_embeddings_normalized: number[][];
};

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

beforeAll(async () => {
  const cli = cliPath();
  if (cli === undefined)
    throw new Error('The clapjs CLI is not built: run `pnpm turbo run build --filter=clapjs`.');
  root = mkdtempSync(join(tmpdir(), 'clapjs-demo-msclap-'));
  const run = (args: string[]) =>
    execFileSync(process.execPath, [cli, ...args, '--backend', 'wasm'], { stdio: 'pipe' });
  run([
    'import',
    '--from',
    'msclap-2022',
    join(FIXTURES, 'msclap-2022-tiny.pth'),
    '-o',
    join(root, 'msclap'),
    '--set',
    'textEncoder.heads=2',
  ]);
  const web = join(root, 'web');
  run([
    'export',
    '--format',
    'web',
    '--model',
    join(root, 'msclap'),
    '--out',
    web,
    '--examples',
    '1',
  ]);
  // The fixture's clips (44.1 kHz WAV) and captions as the page's library, in the format the
  // export writes: the page decodes them itself.
  const examples = reference.clips.map((clip, k) => {
    copyFileSync(join(FIXTURES, clip), join(web, 'examples', clip));
    return { file: `examples/${clip}`, caption: reference.captions[k]! };
  });
  writeFileSync(join(web, 'examples.json'), JSON.stringify(examples));
  server = await startServer({ dist: DIST, exportDir: web });
  browser = await openBrowser();
  ({ page } = await openDemo(browser.context, `${server.url}?backend=wasm`));
  const ready = await page.getAttribute('body', 'data-ready');
  if (ready !== 'true')
    throw new Error(`The demo did not load: ${await page.textContent('#fatal')}`);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

describe('an imported msclap 2022 checkpoint in the demo (Chromium, wasm backend)', () => {
  it('reproduces PyTorch’s audio and text embeddings within 1e-4 relative', async () => {
    expect(await page.getAttribute('#backend', 'data-backend')).toBe('wasm');
    const { audio, text } = await page.evaluate(async () => {
      const { model, examples } = window.clapjsDemo!;
      return {
        audio: await model.embedAudio(examples.map((e) => e.samples)),
        text: await model.embedText(examples.map((e) => e.caption)),
      };
    });
    expect(relativeError(text, reference.text_embeddings_normalized)).toBeLessThanOrEqual(1e-4);
    // clip-b (1.5 s) is tiled then cut to 5 s in the page too: the imported preset's padding.
    expect(relativeError(audio, reference.audio_embeddings_normalized)).toBeLessThanOrEqual(1e-4);
  });
});
