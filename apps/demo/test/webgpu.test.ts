import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { decodeAudio } from '@clapjs/audio';
import { selectBackend } from '@clapjs/core';
import { ClapModel } from '@clapjs/model';
import { openBrowser, openDemo } from './browser.js';
import { ARTIFACTS } from './fixtures.js';

// WebGPU on a CPU machine: Chromium's bundled SwiftShader Vulkan driver (needs libvulkan1, see
// .ci/apt-packages). Slow (shader compilation), so one small check: the explainer's logits.
const WEBGPU_ARGS = [
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--enable-features=Vulkan',
];
const baseUrl = inject('baseUrl');
const exportDir = inject('exportDir');
let browser: Awaited<ReturnType<typeof openBrowser>>;

beforeAll(async () => {
  browser = await openBrowser(WEBGPU_ARGS);
});

afterAll(async () => {
  await browser?.close();
});

describe('the demo where WebGPU is available (SwiftShader)', () => {
  it("picks webgpu by default and computes the model's logits", async () => {
    const { page } = await openDemo(browser.context, baseUrl);
    expect(await page.textContent('#fatal')).toBe('');
    expect(await page.getAttribute('#backend', 'data-backend')).toBe('webgpu');
    expect(await page.getAttribute('#backend', 'title')).toMatch(/^✓ webgpu/);
    await page.selectOption('#explainer-n', '2');
    const texts = [
      await page.inputValue('#pair-caption-0'),
      await page.inputValue('#pair-caption-1'),
    ];
    await page.click('#explain');
    await page.waitForSelector('#heatmap[data-mode="logits"]', { timeout: 110_000 });
    const shown = await page.$$eval('#heatmap .cell', (nodes) =>
      nodes.map((n) => Number(n.getAttribute('data-value'))),
    );
    await page
      .locator('#view-explainer')
      .screenshot({ path: join(ARTIFACTS, 'explainer-webgpu.png') });

    await selectBackend('wasm');
    const model = await ClapModel.load(join(exportDir, 'model'));
    const entries = (await import(join(exportDir, 'examples.json'), { with: { type: 'json' } }))
      .default as { file: string }[];
    const clips = await Promise.all(
      entries.slice(0, 2).map(async (e) => (await decodeAudio(join(exportDir, e.file))).samples),
    );
    const logits = tf
      .tidy(() => model.logits(model.encodeText(texts), model.encodeAudio(clips)))
      .arraySync()
      .flat();
    model.dispose();
    expect(shown).toHaveLength(4);
    shown.forEach((value, k) => expect(Math.abs(value - logits[k]!)).toBeLessThan(1e-3));
  });
});
