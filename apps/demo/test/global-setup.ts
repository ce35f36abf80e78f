// Builds what the e2e tests serve: a seeded, untrained model of the default architecture, written
// as a web export by the real CLI (`clapjs export --format web`, apps/train) when it is built, else
// by a local stand-in with synthesized clips; then starts the demo's server on a free port.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { encodeWav } from '@clapjs/audio';
import { selectBackend } from '@clapjs/core';
import { ClapModel } from '@clapjs/model';
import { startServer } from '../scripts/server.mjs';
import { cliPath, DEMO_DIR, DIST, TEST_MODEL_CONFIG, TEST_SEED } from './fixtures.js';

interface Entry {
  file: string;
  caption: string;
  label?: string;
}

/** A stand-in for `clapjs export --format web` when the CLI is not built: tones and noise bursts. */
function writeExamples(out: string, rate: number): Entry[] {
  const kinds = [
    ['a low steady tone', 'low tone', (t: number) => Math.sin(2 * Math.PI * 220 * t)],
    ['a high steady tone', 'high tone', (t: number) => Math.sin(2 * Math.PI * 2000 * t)],
    [
      'a tone rising in pitch',
      'rising tone',
      (t: number) => Math.sin(2 * Math.PI * (300 * t + 400 * t * t)),
    ],
    [
      'a pulsing tone',
      'pulsing tone',
      (t: number) => Math.sin(2 * Math.PI * 500 * t) * (Math.sin(2 * Math.PI * 4 * t) > 0 ? 1 : 0),
    ],
    ['loud noise', 'noise', (t: number) => Math.sin(1e4 * t * t * 12.9898) % 1],
  ] as const;
  mkdirSync(join(out, 'examples'), { recursive: true });
  return kinds.map(([caption, label, f], k) => {
    const samples = new Float32Array(2 * rate).map((_, i) => 0.5 * f(i / rate));
    const file = `examples/${String(k).padStart(2, '0')}.wav`;
    writeFileSync(join(out, file), encodeWav(samples, rate, { format: 'pcm16' }));
    return { file, caption, label };
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(join(DIST, 'index.html'))) {
    execFileSync(
      process.execPath,
      [join(DEMO_DIR, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'],
      { cwd: DEMO_DIR, stdio: 'inherit' },
    );
  }
  await selectBackend('wasm');
  const root = mkdtempSync(join(tmpdir(), 'clapjs-demo-'));
  const exportDir = join(root, 'web');
  // CLAPJS_DEMO_STANDIN=1 tests the stand-in even where the CLI is built.
  const cli = process.env.CLAPJS_DEMO_STANDIN === '1' ? undefined : cliPath();
  let exportedBy = '';
  if (cli !== undefined) {
    // The CLI writes the examples from a saved model; the vocabulary of the word tokenizer is
    // then refitted to the examples' captions, so the texts the tests type are in-vocabulary.
    const first = await ClapModel.create(TEST_MODEL_CONFIG, {
      seed: TEST_SEED,
      captions: ['a sound'],
    });
    await first.save(join(root, 'seed-model'));
    first.dispose();
    execFileSync(
      process.execPath,
      [
        cli,
        'export',
        '--format',
        'web',
        '--model',
        join(root, 'seed-model'),
        '--out',
        exportDir,
        '--examples',
        '6',
        '--backend',
        'wasm',
      ],
      {
        stdio: 'pipe',
      },
    );
    exportedBy = cli;
  } else {
    mkdirSync(exportDir, { recursive: true });
    writeFileSync(
      join(exportDir, 'examples.json'),
      JSON.stringify(writeExamples(exportDir, 16000), null, 2),
    );
  }
  const entries = JSON.parse(readFileSync(join(exportDir, 'examples.json'), 'utf8')) as Entry[];
  const captions = entries.flatMap((e) => [
    e.caption,
    ...(e.label === undefined ? [] : [e.label]),
    `This is a sound of ${e.label ?? e.caption}.`,
  ]);
  const model = await ClapModel.create(TEST_MODEL_CONFIG, { seed: TEST_SEED, captions });
  rmSync(join(exportDir, 'model'), { recursive: true, force: true });
  await model.save(join(exportDir, 'model'));
  model.dispose();

  const server = await startServer({ dist: DIST, exportDir });
  project.provide('baseUrl', server.url);
  project.provide('exportDir', exportDir);
  project.provide('exportedBy', exportedBy);
  return async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  };
}
