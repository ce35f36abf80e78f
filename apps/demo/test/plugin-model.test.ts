// A model whose audio and text encoders come from a plugin package (examples/plugin-encoders, a
// devDependency, found from the working directory as the CLI finds it), trained and exported by
// the real CLI and served the way `pnpm demo -- --model DIR` serves it: a build of the demo with
// the plugin bundled in. Chromium must give the CLI's zero-shot probabilities and embeddings.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDemo } from '../scripts/serve.mjs';
import { startServer } from '../scripts/server.mjs';
import { openBrowser, openDemo } from './browser.js';
import { cliPath, DEMO_DIR, DIST } from './fixtures.js';

const PLUGIN = 'clapjs-example-plugin-encoders';
const pluginDir = dirname(createRequire(import.meta.url).resolve(`${PLUGIN}/package.json`));
const relativeError = (ours: number[][], ref: number[][]) => {
  const a = ours.flat();
  const b = ref.flat();
  expect(a).toHaveLength(b.length);
  const scale = Math.max(...b.map(Math.abs));
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]!))) / scale;
};

let root: string;
let exportDir: string;
let plugins: string[];
let server: Awaited<ReturnType<typeof startServer>> | undefined;
let browser: Awaited<ReturnType<typeof openBrowser>> | undefined;
let page: Page;

/** The real CLI, run from the demo's directory (where the plugin package is installed). */
function clapjs(args: string[]): string {
  return execFileSync(process.execPath, [cliPath()!, ...args, '--backend', 'wasm'], {
    cwd: DEMO_DIR,
    encoding: 'utf8',
  });
}

/** Copies the web export into `to`, with the plugin renamed (and versioned) in its model files. */
function copyExportAs(to: string, name: string, version: string, extraPlugins: string[] = []) {
  cpSync(exportDir, to, { recursive: true });
  for (const file of ['config.json', 'model.json']) {
    const path = join(to, 'model', file);
    const text = readFileSync(path, 'utf8')
      .replaceAll(PLUGIN, name)
      .replaceAll('"version": "0.1.0"', `"version": "${version}"`);
    const json = JSON.parse(text) as { plugins?: string[] };
    if (file === 'config.json') json.plugins = [...(json.plugins ?? []), ...extraPlugins];
    writeFileSync(path, JSON.stringify(json));
  }
}

beforeAll(async () => {
  if (cliPath() === undefined) throw new Error('build the clapjs CLI first (pnpm build)');
  root = mkdtempSync(join(tmpdir(), 'clapjs-demo-plugin-'));
  const config = join(root, 'train.yaml');
  cpSync(join(pluginDir, 'configs', 'train-with-plugins.yaml'), config);
  clapjs(['train', '--config', config, '--out', join(root, 'run'), '--no-progress']);
  const started = performance.now();
  ({ exportDir, plugins } = await prepareDemo({
    model: join(root, 'run', 'model'),
    cwd: DEMO_DIR,
    dist: DIST,
  }));
  console.log(`demo with plugins: export + build ${(performance.now() - started) / 1000} s`);
  server = await startServer({ dist: `${exportDir}-site`, exportDir });
  browser = await openBrowser();
  ({ page } = await openDemo(browser.context, `${server.url}?backend=wasm`));
  if ((await page.getAttribute('body', 'data-ready')) !== 'true')
    throw new Error(`The demo did not load: ${await page.textContent('#fatal')}`);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

describe('a model whose encoders come from a plugin package, in the demo (Chromium, wasm)', () => {
  it('bundles the plugin the model records into a site of its own, not into the default one', () => {
    expect(plugins).toEqual([`${PLUGIN}@0.1.0`]);
    const js = (dir: string) =>
      readdirSync(join(dir, 'assets'))
        .filter((f) => f.endsWith('.js'))
        .map((f) => readFileSync(join(dir, 'assets', f), 'utf8'))
        .join('');
    expect(js(`${exportDir}-site`)).toContain('frame-attention');
    expect(js(DIST)).not.toContain('frame-attention');
  });

  it("classifies an example clip with the CLI's zero-shot probabilities (1e-4)", async () => {
    expect(await page.textContent('#status')).toContain('frame-attention audio encoder');
    const labels = (await page.inputValue('#labels')).split(',').map((l) => l.trim());
    const template = await page.inputValue('#template');
    await page.selectOption('#example-select', '0');
    await page.waitForSelector('#classify-results[data-source="example:0"]');
    const shown = await page.$$eval('#classify-results li', (items) =>
      items.map((li) => ({
        label: li.getAttribute('data-label') ?? '',
        probability: Number(li.getAttribute('data-probability')),
      })),
    );
    const printed = JSON.parse(
      clapjs([
        'classify',
        join(exportDir, 'examples', '00.wav'),
        ...['--labels', labels.join(','), '--template', template],
        ...['--model', join(root, 'run', 'model'), '--json'],
      ])
        .trim()
        .split('\n')
        .pop()!,
    ) as { label: string; probability: number }[];
    expect(shown).toHaveLength(printed.length);
    for (const { label, probability } of printed) {
      const inPage = shown.find((s) => s.label === label)!.probability;
      expect(Math.abs(inPage - probability)).toBeLessThan(1e-4);
    }
  });

  it('embeds a clip and a text as `clapjs embed` does (1e-4 relative)', async () => {
    const text = 'a high steady tone';
    const inPage = await page.evaluate(
      async (texts) => {
        const { model, examples } = window.clapjsDemo!;
        return {
          audio: await model.embedAudio([examples[0]!.samples]),
          text: await model.embedText(texts),
        };
      },
      [text],
    );
    const rows = JSON.parse(
      clapjs([
        'embed',
        join(exportDir, 'examples', '00.wav'),
        ...['--text', text, '--model', join(root, 'run', 'model')],
      ]),
    ) as { kind: string; embedding: number[] }[];
    expect(rows.map((r) => r.kind)).toEqual(['audio', 'text']);
    const audio = relativeError(inPage.audio, [rows[0]!.embedding]);
    const textError = relativeError(inPage.text, [rows[1]!.embedding]);
    console.log(
      `page vs clapjs embed: audio ${audio.toExponential(1)}, text ${textError.toExponential(1)}`,
    );
    expect(audio).toBeLessThanOrEqual(1e-4);
    expect(textError).toBeLessThanOrEqual(1e-4);
  });
});

describe('pnpm demo with a plugin that cannot be bundled', () => {
  it('names the package and the version model.json records when it is not installed', async () => {
    const copy = join(root, 'elsewhere', 'web');
    copyExportAs(copy, 'acme-clap-encoders', '2.3.4');
    const error = await prepareDemo({ model: copy, cwd: root, dist: DIST }).then(
      () => undefined,
      (e: unknown) => e as { code?: string; message: string },
    );
    expect(error?.code).toBe('PLUGIN_MISSING');
    expect(error?.message.split('\n')).toHaveLength(1);
    expect(error?.message).toMatch(
      /"acme-clap-encoders" \(version 2\.3\.4, recorded in model\.json\)/,
    );
    expect(error?.message).toContain('npm install acme-clap-encoders');
  });

  it('`pnpm demo` prints that as one line and exits 2 (a saved model: the CLI export says it)', () => {
    const copy = join(root, 'elsewhere-saved', 'web');
    copyExportAs(copy, 'acme-clap-encoders', '2.3.4');
    const r = spawnSync(
      process.execPath,
      [join(DEMO_DIR, 'scripts', 'serve.mjs'), '--model', join(copy, 'model'), '--port', '0'],
      { encoding: 'utf8', env: { ...process.env, INIT_CWD: root }, timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^clapjs demo: .*"acme-clap-encoders" \(version 2\.3\.4/);
  }, 60_000);

  it('names the package and version whose browser entry imports a Node module', async () => {
    // A package that loads in Node (the CLI accepts it) but imports node:fs at its top.
    const nodeOnly = join(root, 'node-only');
    const pkg = join(nodeOnly, 'node_modules', 'acme-node-encoders');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({
        name: 'acme-node-encoders',
        version: '1.2.3',
        type: 'module',
        exports: './index.js',
      }),
    );
    writeFileSync(
      join(pkg, 'index.js'),
      "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
    );
    copyExportAs(join(nodeOnly, 'web'), PLUGIN, '0.1.0', ['acme-node-encoders']);
    const error = await prepareDemo({
      model: join(nodeOnly, 'web'),
      cwd: DEMO_DIR,
      dist: DIST,
    }).then(
      () => undefined,
      (e: unknown) => e as { code?: string; message: string },
    );
    expect(error?.code).toBe('PLUGIN_NOT_BROWSER');
    expect(error?.message.split('\n')).toHaveLength(1);
    expect(error?.message).toContain('acme-node-encoders@1.2.3');
    expect(error?.message).toContain('index.js imports the Node module "node:fs"');
  }, 120_000);
});
