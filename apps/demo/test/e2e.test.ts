import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { decodeAudio, resample } from '@clapjs/audio';
import { selectBackend } from '@clapjs/core';
import { ClapModel } from '@clapjs/model';
import { clapLosses } from '../src/explainer-math.js';
import { openBrowser, openDemo } from './browser.js';
import { ARTIFACTS } from './fixtures.js';

interface Entry {
  file: string;
  caption: string;
  label?: string;
}

const baseUrl = inject('baseUrl');
const exportDir = inject('exportDir');
const cli = inject('exportedBy');
let browser: Awaited<ReturnType<typeof openBrowser>>;
let page: Page;
let requests: string[];
let model: ClapModel;
let entries: Entry[];
let clips: Float32Array[];

async function cells(): Promise<{ row: number; col: number; value: number }[]> {
  return page.$$eval('#heatmap .cell', (nodes) =>
    nodes.map((n) => ({
      row: Number(n.getAttribute('data-row')),
      col: Number(n.getAttribute('data-col')),
      value: Number(n.getAttribute('data-value')),
    })),
  );
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // The same model in Node, on the same backend as the page.
  await selectBackend('wasm');
  model = await ClapModel.load(join(exportDir, 'model'));
  entries = (await import(join(exportDir, 'examples.json'), { with: { type: 'json' } }))
    .default as Entry[];
  const rate = model.frontEnd.config.sampleRate;
  clips = await Promise.all(
    entries.map(async (e) => {
      const decoded = await decodeAudio(join(exportDir, e.file));
      return decoded.sampleRate === rate
        ? decoded.samples
        : resample(decoded.samples, decoded.sampleRate, rate);
    }),
  );
  browser = await openBrowser();
  ({ page, requests } = await openDemo(browser.context, `${baseUrl}?backend=wasm`));
  const ready = await page.getAttribute('body', 'data-ready');
  if (ready !== 'true')
    throw new Error(`The demo did not load: ${await page.textContent('#fatal')}`);
});

afterAll(async () => {
  model?.dispose();
  await browser?.close();
});

describe('the demo page (wasm backend, forced by ?backend=wasm)', () => {
  it('shows the backend it runs on', async () => {
    expect(await page.getAttribute('#backend', 'data-backend')).toBe('wasm');
    expect(await page.textContent('#backend')).toContain('wasm');
  });

  it("classifies every example clip with the same probabilities as the model's zeroShotClassify in Node", async () => {
    const labels = (await page.inputValue('#labels'))
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean);
    const template = await page.inputValue('#template');
    expect(labels.length).toBeGreaterThan(1);
    for (const [i, clip] of clips.entries()) {
      await page.selectOption('#example-select', String(i));
      await page.waitForSelector(`#classify-results[data-source="example:${i}"]`);
      const shown = await page.$$eval('#classify-results li', (items) =>
        items.map((li) => ({
          label: li.getAttribute('data-label') ?? '',
          probability: Number(li.getAttribute('data-probability')),
        })),
      );
      const expected = await model.zeroShotClassify(clip, labels, template);
      expect(shown).toHaveLength(labels.length);
      for (const { label, probability } of expected) {
        expect(
          Math.abs(shown.find((s) => s.label === label)!.probability - probability),
        ).toBeLessThan(1e-4);
      }
      if (cli !== '' && i === 0) {
        // And the real `clapjs classify` (a process of its own) on the same file.
        const args = [
          'classify',
          join(exportDir, entries[i]!.file),
          '--labels',
          labels.join(','),
          '--template',
          template,
          '--model',
          join(exportDir, 'model'),
          '--backend',
          'wasm',
          '--json',
        ];
        const printed = JSON.parse(
          execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8' })
            .trim()
            .split('\n')
            .pop()!,
        ) as { label: string; probability: number }[];
        for (const { label, probability } of printed) {
          expect(
            Math.abs(shown.find((s) => s.label === label)!.probability - probability),
          ).toBeLessThan(1e-4);
        }
      }
    }
    await page.locator('#view-classify').screenshot({ path: join(ARTIFACTS, 'classify.png') });
  });

  it("ranks the library for a caption as the model's retrieve does in Node", async () => {
    // The model is untrained, so the caption's own clip need not come first: the honest check is
    // that the page ranks (and scores) exactly like model.retrieve in Node.
    for (const k of [0, entries.length - 1]) {
      const caption = entries[k]!.caption;
      await page.fill('#query', caption);
      await page.press('#query', 'Enter');
      await page.waitForSelector(`#search-results[data-query="${caption}"]`);
      const shown = await page.$$eval('#search-results li', (items) =>
        items.map((li) => ({
          index: Number(li.getAttribute('data-index')),
          score: Number(li.getAttribute('data-score')),
        })),
      );
      const expected = await model.retrieve(caption, clips, clips.length);
      expect(shown).toHaveLength(clips.length);
      expected.forEach((hit, r) => {
        expect(Math.abs(shown[r]!.score - hit.score)).toBeLessThan(1e-4);
        // Positions may swap only between near-equal scores.
        if (shown[r]!.index !== hit.index)
          expect(Math.abs(shown[r]!.score - hit.score)).toBeLessThan(1e-5);
      });
      expect(await page.locator('#search-results li button.play').count()).toBe(clips.length);
    }
    await page.locator('#view-search').screenshot({ path: join(ARTIFACTS, 'search.png') });
  });

  it("draws the model's logits as the heatmap, and the row/column softmax sums to 1", async () => {
    const n = Number(await page.inputValue('#explainer-n'));
    const texts = await Promise.all(
      Array.from({ length: n }, (_, i) => page.inputValue(`#pair-caption-${i}`)),
    );
    await page.click('#explain');
    await page.waitForSelector('#heatmap[data-mode="logits"]');
    const logits = tf
      .tidy(() => model.logits(model.encodeText(texts), model.encodeAudio(clips.slice(0, n))))
      .arraySync();
    const shown = await cells();
    expect(shown).toHaveLength(n * n);
    for (const { row, col, value } of shown)
      expect(Math.abs(value - logits[row]![col]!)).toBeLessThan(1e-4);
    const losses = clapLosses(logits);
    expect(
      Math.abs(Number(await page.getAttribute('#loss-text', 'data-value')) - losses.text),
    ).toBeLessThan(1e-4);
    expect(
      Math.abs(Number(await page.getAttribute('#loss-audio', 'data-value')) - losses.audio),
    ).toBeLessThan(1e-4);
    expect(
      Math.abs(Number(await page.getAttribute('#loss-mean', 'data-value')) - losses.mean),
    ).toBeLessThan(1e-4);
    expect(await page.locator('#heatmap .diagonal').count()).toBe(n);
    await page
      .locator('#view-explainer')
      .screenshot({ path: join(ARTIFACTS, 'explainer-logits.png') });

    await page.check('#mode-rows');
    await page.waitForSelector('#heatmap[data-mode="rows"]');
    const rows = await cells();
    for (let i = 0; i < n; i++)
      expect(rows.filter((c) => c.row === i).reduce((s, c) => s + c.value, 0)).toBeCloseTo(1, 6);
    await page
      .locator('#view-explainer')
      .screenshot({ path: join(ARTIFACTS, 'explainer-rows.png') });

    await page.check('#mode-columns');
    await page.waitForSelector('#heatmap[data-mode="columns"]');
    const cols = await cells();
    for (let j = 0; j < n; j++)
      expect(cols.filter((c) => c.col === j).reduce((s, c) => s + c.value, 0)).toBeCloseTo(1, 6);
    await page
      .locator('#view-explainer')
      .screenshot({ path: join(ARTIFACTS, 'explainer-columns.png') });
  });

  it('shows the typed decode error for a corrupt or unsupported upload', async () => {
    await page.setInputFiles('#audio-file', {
      name: 'broken.wav',
      mimeType: 'audio/wav',
      buffer: Buffer.from('RIFF\x10\x00\x00\x00WAVEfmt garbage'),
    });
    await page.waitForSelector('#classify-error:not([hidden])');
    const message = await page.textContent('#classify-error');
    expect(message).toContain('AudioDecodeError');
    expect(message).toContain('Cannot decode audio "broken.wav"');
    await page.locator('#view-classify').screenshot({ path: join(ARTIFACTS, 'error.png') });

    await page.setInputFiles('#audio-file', {
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('not audio at all'),
    });
    await page.waitForFunction(() =>
      document.querySelector('#classify-error')?.textContent?.includes('notes.txt'),
    );
    expect(await page.textContent('#classify-error')).toContain('AUDIO_DECODE');
  });

  it('classifies a dropped file like the same example picked from the list', async () => {
    await page.evaluate(async (file) => {
      const bytes = await (await fetch(`clap/${file}`)).arrayBuffer();
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], 'dropped.wav', { type: 'audio/wav' }));
      document
        .querySelector('#drop-zone')!
        .dispatchEvent(
          new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }),
        );
    }, entries[0]!.file);
    await page.waitForSelector('#classify-results[data-source="file:dropped.wav"]');
    const labels = (await page.inputValue('#labels')).split(',').map((l) => l.trim());
    const expected = await model.zeroShotClassify(
      clips[0]!,
      labels,
      await page.inputValue('#template'),
    );
    const shown = await page.$$eval('#classify-results li', (items) =>
      items.map((li) => Number(li.getAttribute('data-probability'))),
    );
    shown.forEach((p, r) => expect(Math.abs(p - expected[r]!.probability)).toBeLessThan(1e-4));
  });

  it('records from the microphone (Chromium fake device) and classifies the recording', async () => {
    await page.click('#record');
    await page.waitForSelector('#classify-results[data-source="microphone"]', { timeout: 30_000 });
    const probabilities = await page.$$eval('#classify-results li', (items) =>
      items.map((li) => Number(li.getAttribute('data-probability'))),
    );
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  });

  it('measures embedding a 5 s clip (recorded, not asserted: timings depend on the machine)', async () => {
    await page.click('#measure-speed');
    await page.waitForSelector('#speed-result[data-realtime]', { timeout: 60_000 });
    const ms = Number(await page.getAttribute('#speed-result', 'data-ms'));
    const realtime = Number(await page.getAttribute('#speed-result', 'data-realtime'));
    expect(ms).toBeGreaterThan(0);
    writeFileSync(
      join(ARTIFACTS, 'speed.json'),
      `${JSON.stringify({ date: new Date().toISOString(), backend: 'wasm', clipSeconds: 5, msPerClip: ms, realtime }, null, 2)}\n`,
    );
  });

  it('made no request outside its own origin', () => {
    const origin = new URL(baseUrl).origin;
    expect(
      requests.filter(
        (url) => !url.startsWith(origin) && !url.startsWith('blob:') && !url.startsWith('data:'),
      ),
    ).toEqual([]);
  });
});

describe('a missing export', () => {
  it('shows why in the page instead of a blank screen', async () => {
    const { page: other } = await openDemo(
      browser.context,
      `${baseUrl}?backend=wasm&data=nowhere/`,
    );
    expect(await other.getAttribute('body', 'data-ready')).toBe('error');
    expect(await other.textContent('#fatal')).toContain('Could not load the model');
    await other.screenshot({ path: join(ARTIFACTS, 'missing-export.png') });
    await other.close();
  });
});

describe('keyboard use', () => {
  it('reaches every control with Tab, in reading order', async () => {
    await page.focus('#example-select');
    const seen: string[] = [];
    for (let i = 0; i < 40; i++) {
      seen.push(await page.evaluate(() => document.activeElement?.id ?? ''));
      await page.keyboard.press('Tab');
    }
    const order = [
      'example-select',
      'audio-file',
      'record',
      'drop-zone',
      'labels',
      'template',
      'classify',
      'query',
      'search',
    ];
    const positions = order.map((id) => seen.indexOf(id));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    // Enter in the search field searches (no mouse needed).
    await page.focus('#query');
    await page.fill('#query', entries[1]!.caption);
    await page.keyboard.press('Enter');
    await page.waitForSelector(`#search-results[data-query="${entries[1]!.caption}"]`);
  });
});

describe('the default backend order (no ?backend) without WebGPU', () => {
  it('tries webgpu first, falls back, says why, and computes the same logits', async () => {
    const { page: other } = await openDemo(browser.context, baseUrl);
    expect(await other.getAttribute('body', 'data-ready')).toBe('true');
    const backend = await other.getAttribute('#backend', 'data-backend');
    expect(['webgl', 'wasm']).toContain(backend);
    expect(await other.getAttribute('#backend', 'title')).toMatch(/^✗ webgpu: /);
    await other.click('#explain');
    await other.waitForSelector('#heatmap[data-mode="logits"]', { timeout: 90_000 });
    const shown = await other.$$eval('#heatmap .cell', (nodes) =>
      nodes.map((n) => Number(n.getAttribute('data-value'))),
    );
    const n = Math.sqrt(shown.length);
    const texts = entries.slice(0, n).map((e) => e.caption);
    const logits = tf
      .tidy(() => model.logits(model.encodeText(texts), model.encodeAudio(clips.slice(0, n))))
      .arraySync()
      .flat();
    // GPU backends compute in float32 with their own kernels: a looser tolerance than wasm-vs-wasm.
    shown.forEach((value, k) => expect(Math.abs(value - logits[k]!)).toBeLessThan(1e-3));
    await other.close();
  });
});
