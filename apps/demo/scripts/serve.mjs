#!/usr/bin/env node
// `pnpm demo [-- --model DIR] [--quantize float16|uint8] [--port N]`: serves the built demo with a
// web export on localhost. DIR may be a web export (examples.json + model/), a saved model
// (model.json, e.g. runs/default/model) or a run directory holding model/; the last two are
// exported first with `clapjs export --format web [--quantize …]` into <run>/web (web-float16,
// web-uint8; again whenever the model is newer). A model whose parts come from plugin packages is
// served with a build of the demo that bundles them (<export>-site, see plugin-site.mjs).
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClapError } from '@clapjs/core';
import { buildPluginSite, DemoError, modelPlugins } from './plugin-site.mjs';
import { startServer } from './server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const demoDir = resolve(here, '..');
const repoRoot = resolve(demoDir, '..', '..');

function fail(message) {
  throw new DemoError('DEMO_INPUT', message);
}

function parseArgs(argv) {
  const args = { model: undefined, port: 5173, quantize: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') continue;
    if (arg === '--model' || arg === '-m') args.model = argv[++i];
    else if (arg.startsWith('--model=')) args.model = arg.slice('--model='.length);
    else if (arg === '--port') args.port = Number(argv[++i]);
    else if (arg === '--quantize') args.quantize = argv[++i];
    else fail(`unknown argument "${arg}"; use --model DIR, --quantize float16|uint8 and --port N.`);
  }
  if (!Number.isInteger(args.port) || args.port < 0) fail('--port needs a port number.');
  if (args.quantize !== undefined && !['float16', 'uint8'].includes(args.quantize))
    fail(
      `--quantize ${args.quantize}: use float16 or uint8 (or leave it out for float32 weights).`,
    );
  return args;
}

const isWebExport = (dir) =>
  existsSync(join(dir, 'examples.json')) && existsSync(join(dir, 'model', 'model.json'));
const isModel = (dir) =>
  existsSync(join(dir, 'model.json')) && existsSync(join(dir, 'config.json'));
const mtime = (file) => statSync(file).mtimeMs;

/**
 * Runs the real CLI (apps/train, a devDependency of the demo) to write a web export, from `cwd`
 * (the CLI looks plugins up from the model's directory, then its working directory).
 */
function exportWeb(modelDir, out, quantize, cwd) {
  const cli = join(
    dirname(createRequire(import.meta.url).resolve('clapjs/package.json')),
    'dist',
    'cli.js',
  );
  if (!existsSync(cli))
    fail(`the clapjs CLI is not built (${cli}); run \`pnpm --filter clapjs build\`.`);
  console.log(`clapjs demo: exporting ${modelDir} → ${out}`);
  try {
    execFileSync(
      process.execPath,
      [
        cli,
        ...['export', '--format', 'web', '--model', modelDir, '--out', out, '--backend', 'wasm'],
        ...(quantize === undefined ? [] : ['--quantize', quantize]),
      ],
      { stdio: ['ignore', 'inherit', 'pipe'], cwd },
    );
  } catch (error) {
    // The CLI printed one line saying why (a missing plugin, a bad model): pass it on.
    const said =
      String(error.stderr ?? '')
        .trim()
        .split('\n')
        .at(-1) ?? '';
    throw new DemoError('DEMO_EXPORT', said.replace(/^clapjs: /, '') || error.message);
  }
}

/**
 * Finds (or makes) the web export to serve for a user-given path (weights quantized if asked).
 * @returns {{ exportDir: string, modelDir: string }} the export, and the saved model it came from
 * (the export's own model/ when given an export)
 */
export function resolveExport(given, quantize, cwd = process.cwd()) {
  const dir = resolve(given);
  if (!existsSync(dir)) {
    fail(
      `${dir} does not exist. Train the default model with \`pnpm train\` (it writes runs/default/model) or pass --model DIR.`,
    );
  }
  if (isWebExport(dir)) return { exportDir: dir, modelDir: join(dir, 'model') };
  const modelDir = isModel(dir)
    ? dir
    : isModel(join(dir, 'model'))
      ? join(dir, 'model')
      : undefined;
  if (modelDir === undefined) {
    fail(
      `${dir} is neither a web export (examples.json + model/) nor a saved model (model.json + config.json) nor a run directory with model/. ` +
        'Trainer checkpoints (checkpoints/step-…) are not saved models: point at runs/<name>/model.',
    );
  }
  const web = quantize === undefined ? 'web' : `web-${quantize}`;
  const out = basename(modelDir) === 'model' ? join(dirname(modelDir), web) : `${modelDir}-${web}`;
  if (!isWebExport(out) || mtime(join(modelDir, 'model.json')) > mtime(join(out, 'examples.json')))
    exportWeb(modelDir, out, quantize, cwd);
  return { exportDir: out, modelDir };
}

/**
 * What `pnpm demo` serves for a user-given path: the web export, and the site — the default build
 * (`dist`), or for a model whose parts come from plugin packages a build with them bundled in
 * (`<export>-site`). Plugins are looked up as the CLI looks them up, from the saved model's
 * directory, the export's model directory, then `cwd`.
 * @param {{ model: string, quantize?: string, cwd: string, dist: string }} options
 * @returns {Promise<{ exportDir: string, site: string, plugins: string[] }>}
 */
export async function prepareDemo({ model, quantize, cwd, dist }) {
  const { exportDir, modelDir } = resolveExport(resolve(cwd, model), quantize, cwd);
  const dirs = [...new Set([modelDir, join(exportDir, 'model'), cwd].map((d) => resolve(d)))];
  const plugins = await modelPlugins(join(exportDir, 'model'), dirs);
  if (plugins.length === 0) return { exportDir, site: dist, plugins: [] };
  const site = `${exportDir}-site`;
  const named = plugins.map((p) => `${p.name}@${p.version}`);
  console.log(`clapjs demo: bundling the model's plugins (${named.join(', ')}) → ${site}`);
  await buildPluginSite(plugins, site);
  return { exportDir, site, plugins: named };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const args = parseArgs(process.argv.slice(2));
    const dist = join(demoDir, 'dist');
    if (!existsSync(join(dist, 'index.html')))
      fail('the demo is not built; run `pnpm --filter @clapjs/demo build` (or `pnpm demo`).');
    // Paths the user typed are relative to where they ran pnpm (INIT_CWD), not to apps/demo.
    const cwd = process.env.INIT_CWD ?? repoRoot;
    const { exportDir, site } = await prepareDemo({
      model: args.model ?? join(repoRoot, 'runs', 'default'),
      quantize: args.quantize,
      cwd,
      dist,
    });
    const { url } = await startServer({ dist: site, exportDir, port: args.port });
    console.log(
      `clapjs demo: serving ${exportDir}\n  open ${url}  (add ?backend=wasm|webgl|webgpu to force a backend; Ctrl+C stops)`,
    );
  } catch (error) {
    if (!(error instanceof ClapError)) throw error;
    console.error(`clapjs demo: ${error.message}`);
    process.exit(2);
  }
}
