#!/usr/bin/env node
// Release rehearsal: publish every library and the CLI with `changeset publish` to a local
// Verdaccio, then, in a clean directory outside the workspace, install single packages from it and
// use them as a user would: compute a symmetric CLAP loss with @clapjs/losses alone, and load a
// saved model with @clapjs/model and classify a clip. Also runs docs/plugins.md's code blocks,
// and the published `clapjs` CLI trains with a third-party plugin package and classifies.
import { spawn, execFileSync } from 'node:child_process';
import {
  mkdtempSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'clapjs-release-'));
const started = Date.now();
const log = (message) =>
  console.log(`[release ${((Date.now() - started) / 1000).toFixed(0)}s] ${message}`);

function run(command, args, options = {}) {
  log(`$ ${command} ${args.join(' ')}`);
  return execFileSync(command, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    ...options,
  });
}

// Every publishable package: the libraries and the `clapjs` CLI (apps/train).
const libraries = [
  ...readdirSync(join(root, 'packages')).map((name) => join(root, 'packages', name)),
  join(root, 'apps', 'train'),
]
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter(({ pkg }) => !pkg.private);

async function startRegistry() {
  const port = 41000 + Math.floor(Math.random() * 2000);
  mkdirSync(join(work, 'storage'));
  writeFileSync(
    join(work, 'verdaccio.yaml'),
    [
      `storage: ${join(work, 'storage')}`,
      'auth:',
      `  htpasswd: { file: ${join(work, 'htpasswd')}, max_users: 10 }`,
      'packages:',
      "  '@clapjs/*': { access: $all, publish: $authenticated }",
      "  'clapjs': { access: $all, publish: $authenticated }",
      "  '**': { access: $all }",
      'log: { type: stdout, format: pretty, level: error }',
    ].join('\n'),
  );
  const bin = join(here, 'node_modules', '.bin', 'verdaccio');
  const server = spawn(
    bin,
    ['--config', join(work, 'verdaccio.yaml'), '--listen', `127.0.0.1:${port}`],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
      detached: false,
    },
  );
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${url}-/ping`)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const response = await fetch(`${url}-/user/org.couchdb.user:ci`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'ci', password: 'ci-password-not-secret' }),
  });
  const { token } = await response.json();
  if (!token) throw new Error('Verdaccio did not return a token');
  const npmrc = join(work, '.npmrc');
  writeFileSync(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
  return { server, url, npmrc };
}

function checkTypes() {
  const attw = join(here, 'node_modules', '.bin', 'attw');
  for (const { dir, pkg } of libraries) {
    run(attw, ['--pack', dir, '--format', 'table-flipped', '--profile', 'node16'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    log(`attw: ${pkg.name} ok`);
  }
}

function consumer(name, registry) {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: `rehearsal-${name}`, private: true, type: 'module' }),
  );
  // Only @clapjs comes from the rehearsal registry; everything else from the usual one.
  writeFileSync(join(dir, '.npmrc'), `@clapjs:registry=${registry}\n`);
  return dir;
}

async function main() {
  const { server, url, npmrc } = await startRegistry();
  try {
    if (!process.argv.includes('--skip-attw')) checkTypes();
    const env = { ...process.env, NPM_CONFIG_USERCONFIG: npmrc, npm_config_registry: url };
    run('pnpm', ['changeset', 'publish', '--no-git-tag'], { cwd: root, env, stdio: 'inherit' });
    const published = libraries.map(({ pkg }) => `${pkg.name}@${pkg.version}`);
    for (const spec of published) {
      const version = run('npm', ['view', spec, 'version', '--registry', url]).trim();
      if (version === '')
        throw new Error(`${spec} is not on the local registry after changeset publish`);
    }
    log(`published: ${published.join(', ')}`);
    const npmEnv = { ...process.env, NPM_CONFIG_USERCONFIG: join(work, 'none') };

    // 1. The losses alone, in a clean directory outside the workspace.
    const losses = libraries.find(({ pkg }) => pkg.name === '@clapjs/losses').pkg.version;
    const lossDir = consumer('losses', url);
    run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        `@clapjs/losses@${losses}`,
        '@tensorflow/tfjs-core@4.22.0',
        '@tensorflow/tfjs-backend-cpu@4.22.0',
      ],
      { cwd: lossDir, env: npmEnv },
    );
    writeFileSync(
      join(lossDir, 'loss.mjs'),
      `import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { symmetricClapLoss } from '@clapjs/losses';
await tf.setBackend('cpu');
const C = tf.tensor2d([[2, 0, 0], [0, 2, 0], [0, 0, 2]]);
const loss = (await symmetricClapLoss(C).data())[0];
const expected = -Math.log(Math.exp(2) / (Math.exp(2) + 2));
if (Math.abs(loss - expected) > 1e-5) throw new Error('symmetric loss ' + loss + ' != ' + expected);
console.log('symmetric CLAP loss from the published package:', loss.toFixed(6));
`,
    );
    process.stdout.write(run('node', ['loss.mjs'], { cwd: lossDir }));

    // 2. The model: save one from the workspace, load it from the published package, classify.
    const model = libraries.find(({ pkg }) => pkg.name === '@clapjs/model').pkg.version;
    const modelDir = consumer('model', url);
    const saved = join(work, 'saved-model');
    // Written beside this script so that it resolves the workspace's own packages.
    const makeModel = join(here, `.make-model-${process.pid}.mjs`);
    writeFileSync(
      makeModel,
      `import { selectBackend } from '@clapjs/core';
import { ClapModel } from '@clapjs/model';
await selectBackend('cpu');
const model = await ClapModel.create({}, { seed: 3, captions: ['a dog barks', 'rain falls', 'a piano plays'] });
await model.save(${JSON.stringify(saved)});
const clip = new Float32Array(16000).map((_, i) => Math.sin((2 * Math.PI * 440 * i) / 16000));
console.log(JSON.stringify(await model.zeroShotClassify(clip, ['dog', 'rain', 'piano'])));
`,
    );
    let expected;
    try {
      expected = JSON.parse(run('node', [makeModel]).trim().split('\n').pop());
    } finally {
      rmSync(makeModel, { force: true });
    }
    run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        `@clapjs/model@${model}`,
        '@tensorflow/tfjs-core@4.22.0',
        '@tensorflow/tfjs-backend-cpu@4.22.0',
      ],
      { cwd: modelDir, env: npmEnv },
    );
    writeFileSync(
      join(modelDir, 'classify.mjs'),
      `import { selectBackend } from '@clapjs/core';
import { ClapModel } from '@clapjs/model';
await selectBackend('cpu');
const model = await ClapModel.load(${JSON.stringify(saved)});
const clip = new Float32Array(16000).map((_, i) => Math.sin((2 * Math.PI * 440 * i) / 16000));
console.log(JSON.stringify(await model.zeroShotClassify(clip, ['dog', 'rain', 'piano'])));
`,
    );
    const got = JSON.parse(
      run('node', ['classify.mjs'], { cwd: modelDir }).trim().split('\n').pop(),
    );
    for (let i = 0; i < expected.length; i++) {
      if (
        got[i].label !== expected[i].label ||
        Math.abs(got[i].probability - expected[i].probability) > 1e-5
      ) {
        throw new Error(
          `published @clapjs/model classifies differently: ${JSON.stringify(got)} vs ${JSON.stringify(expected)}`,
        );
      }
    }
    log(`published @clapjs/model loads the saved model and classifies: ${JSON.stringify(got)}`);

    // 3. docs/plugins.md: every \`\`\`js file=NAME block is written out and run in order.
    const docs = readFileSync(join(root, 'docs', 'plugins.md'), 'utf8');
    const blocks = [...docs.matchAll(/```js file=(\S+)\n([\s\S]*?)```/g)];
    if (blocks.length === 0) throw new Error('docs/plugins.md has no runnable code blocks');
    const docsDir = consumer('plugins-doc', url);
    run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        `@clapjs/model@${model}`,
        `@clapjs/layers@${libraries.find(({ pkg }) => pkg.name === '@clapjs/layers').pkg.version}`,
        '@tensorflow/tfjs-core@4.22.0',
        '@tensorflow/tfjs-backend-cpu@4.22.0',
      ],
      { cwd: docsDir, env: npmEnv },
    );
    for (const [, file, code] of blocks) writeFileSync(join(docsDir, file), code);
    for (const [, file] of blocks.filter(([, f]) => f.startsWith('run-'))) {
      process.stdout.write(run('node', [file], { cwd: docsDir }));
    }
    log('docs/plugins.md code blocks ran against the published packages');

    // 4. The published CLI with a third-party plugin package (examples/plugin-encoders, packed
    // as its author would publish it): train a few steps, then classify with the saved model.
    const cliVersion = libraries.find(({ pkg }) => pkg.name === 'clapjs').pkg.version;
    const cliDir = consumer('cli', url);
    run('pnpm', ['pack', '--pack-destination', work], {
      cwd: join(root, 'examples', 'plugin-encoders'),
    });
    const plugin = readdirSync(work).find((f) => f.startsWith('clapjs-example-plugin-encoders-'));
    run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts', // optional packages without download scripts (tfjs-node-gpu's libtensorflow)
        // By URL: the unscoped name `clapjs` must come from the rehearsal registry too.
        `${url}clapjs/-/clapjs-${cliVersion}.tgz`,
        join(work, plugin),
      ],
      { cwd: cliDir, env: { ...npmEnv, CLAPJS_NATIVE_SKIP_BUILD: '1' } },
    );
    writeFileSync(
      join(cliDir, 'train.yaml'),
      readFileSync(
        join(root, 'examples', 'plugin-encoders', 'configs', 'train-with-plugins.yaml'),
        'utf8',
      )
        .replace(/steps: \d+/, 'steps: 3')
        .replace(/backend: \w+/, 'backend: cpu'),
    );
    const clapjs = join(cliDir, 'node_modules', '.bin', 'clapjs');
    run(clapjs, ['train', '--config', 'train.yaml', '--out', 'run', '--no-progress'], {
      cwd: cliDir,
    });
    run(
      clapjs,
      ['export', '--format', 'web', '--out', 'web', '--model', 'run/model', '--examples', '2'],
      {
        cwd: cliDir,
      },
    );
    const ranked = JSON.parse(
      run(
        clapjs,
        [
          'classify',
          'web/examples/00.wav',
          '--labels',
          'a hum,noise',
          '--model',
          'run/model',
          '--json',
        ],
        { cwd: cliDir },
      )
        .trim()
        .split('\n')
        .pop(),
    );
    const total = ranked.reduce((sum, r) => sum + r.probability, 0);
    if (ranked.length !== 2 || Math.abs(total - 1) > 1e-4)
      throw new Error(`the published clapjs classified badly: ${JSON.stringify(ranked)}`);
    log(
      `published clapjs trained with a third-party plugin and classified: ${JSON.stringify(ranked)}`,
    );
    console.log('1 passed, 0 failed: release rehearsal');
  } finally {
    server.kill();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
