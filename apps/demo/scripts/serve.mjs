#!/usr/bin/env node
// `pnpm demo [-- --model DIR] [--quantize float16|uint8] [--port N]`: serves the built demo with a
// web export on localhost. DIR may be a web export (examples.json + model/), a saved model
// (model.json, e.g. runs/default/model) or a run directory holding model/; the last two are
// exported first with `clapjs export --format web [--quantize …]` into <run>/web (web-float16,
// web-uint8; again whenever the model is newer).
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const demoDir = resolve(here, '..');
const repoRoot = resolve(demoDir, '..', '..');

function fail(message) {
  console.error(`clapjs demo: ${message}`);
  process.exit(1);
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

/** Runs the real CLI (apps/train, a devDependency of the demo) to write a web export. */
function exportWeb(modelDir, out, quantize) {
  const cli = join(
    dirname(createRequire(import.meta.url).resolve('clapjs/package.json')),
    'dist',
    'cli.js',
  );
  if (!existsSync(cli))
    fail(`the clapjs CLI is not built (${cli}); run \`pnpm --filter clapjs build\`.`);
  console.log(`clapjs demo: exporting ${modelDir} → ${out}`);
  execFileSync(
    process.execPath,
    [
      cli,
      ...['export', '--format', 'web', '--model', modelDir, '--out', out, '--backend', 'wasm'],
      ...(quantize === undefined ? [] : ['--quantize', quantize]),
    ],
    { stdio: 'inherit' },
  );
}

/** Finds (or makes) the web export to serve for a user-given path (weights quantized if asked). */
export function resolveExport(given, quantize) {
  const dir = resolve(given);
  if (!existsSync(dir)) {
    fail(
      `${dir} does not exist. Train the default model with \`pnpm train\` (it writes runs/default/model) or pass --model DIR.`,
    );
  }
  if (isWebExport(dir)) return dir;
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
    exportWeb(modelDir, out, quantize);
  return out;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = parseArgs(process.argv.slice(2));
  const dist = join(demoDir, 'dist');
  if (!existsSync(join(dist, 'index.html')))
    fail('the demo is not built; run `pnpm --filter @clapjs/demo build` (or `pnpm demo`).');
  // Paths the user typed are relative to where they ran pnpm (INIT_CWD), not to apps/demo.
  const cwd = process.env.INIT_CWD ?? repoRoot;
  const exportDir = resolveExport(
    args.model === undefined ? join(repoRoot, 'runs', 'default') : resolve(cwd, args.model),
    args.quantize,
  );
  const { url } = await startServer({ dist, exportDir, port: args.port });
  console.log(
    `clapjs demo: serving ${exportDir}\n  open ${url}  (add ?backend=wasm|webgl|webgpu to force a backend; Ctrl+C stops)`,
  );
}
