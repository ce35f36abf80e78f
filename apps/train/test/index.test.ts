// `clapjs index build|search`, `clapjs worker` through the built CLI, on the shared tiny model,
// a real LanceDB directory and a real Redis.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import { encodeWav } from '@clapjs/audio';
import { startTestRedis, type TestRedis } from '@clapjs/config/test-redis';
import { ClapModel } from '@clapjs/model';
import { CLI, clapjs, tempDir } from './helpers.js';

function tone(hz: number, seconds = 0.5): Uint8Array {
  const samples = new Float32Array(Math.round(16000 * seconds)).map(
    (_, i) => 0.3 * Math.sin((2 * Math.PI * hz * i) / 16000),
  );
  return encodeWav(samples, 16000);
}

describe('clapjs index, worker', () => {
  const dir = tempDir('clapjs-index-cli-');
  const lib = join(dir, 'sounds');
  let model: string;
  let redis: TestRedis;

  beforeAll(async () => {
    model = join(inject('tinyRun'), 'model');
    for (let i = 0; i < 20; i++) {
      mkdirSync(join(lib, `set-${i % 2}`), { recursive: true });
      writeFileSync(join(lib, `set-${i % 2}`, `tone-${200 + 50 * i}.wav`), tone(200 + 50 * i));
    }
    writeFileSync(join(lib, 'broken.wav'), 'RIFF not really');
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('builds, re-runs with "0 added", searches by text and by example', () => {
    const db = join(dir, 'db');
    const first = clapjs(['index', 'build', lib, '--db', db, '-m', model, '--backend', 'cpu']);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('21 files: 20 embedded (20 added)');
    expect(first.stdout).toMatch(/skipped broken\.wav: AUDIO_DECODE/);
    expect(first.stderr).toMatch(/files\/s \| ETA/);
    const again = clapjs(['index', 'build', lib, '--db', db, '--backend', 'cpu']);
    expect(again.stdout).toContain('0 embedded (0 added), 20 unchanged');

    const text = clapjs(['index', 'search', '--db', db, 'a high tone', '-k', '3', '--json']);
    expect(text.status, text.stderr).toBe(0);
    expect((JSON.parse(text.stdout) as unknown[]).length).toBe(3);
    const like = clapjs([
      'index',
      'search',
      '--db',
      db,
      '--like',
      join(lib, 'set-1', 'tone-450.wav'),
      '-k',
      '1',
      '--json',
    ]);
    expect((JSON.parse(like.stdout) as { path: string }[])[0]?.path).toBe('set-1/tone-450.wav');
  });

  it('builds the ANN index below its row threshold with --ann always, skips full text with --no-fts; --exact search agrees', () => {
    const db = join(dir, 'db-ann');
    const build = clapjs([
      'index',
      'build',
      lib,
      '--db',
      db,
      '-m',
      model,
      '--backend',
      'cpu',
      '--ann',
      'always',
      '--no-fts',
      '--no-progress',
    ]);
    expect(build.status, build.stderr).toBe(0);
    expect(build.stdout).toContain('ANN index: IVF_FLAT, 4 partitions (20 rows)');
    expect(build.stdout).toContain('full-text index on paths and captions: not built (--no-fts)');
    const search = (extra: string[]) =>
      clapjs(['index', 'search', '--db', db, 'a high tone', '-k', '20', '--json', ...extra]);
    const exact = search(['--exact']);
    expect(exact.status, exact.stderr).toBe(0);
    // 4 partitions, all probed (at least 20): the index ranks as exact search does (its distance
    // kernel rounds differently: scores agree to float precision).
    type Hit = { path: string; score: number };
    const viaIndex = JSON.parse(search([]).stdout) as Hit[];
    const viaExact = JSON.parse(exact.stdout) as Hit[];
    expect(viaIndex.map((h) => h.path)).toEqual(viaExact.map((h) => h.path));
    viaIndex.forEach((h, i) => expect(h.score).toBeCloseTo(viaExact[i]?.score ?? NaN, 5));
    const bad = clapjs(['index', 'build', lib, '--db', db, '--ann', 'sometimes']);
    expect(bad.status).toBe(2);
  });

  it('refuses another model and a bad filter with one line, exit 2', async () => {
    const db = join(dir, 'db');
    const other = join(dir, 'other-model');
    const base = await ClapModel.load(model);
    const changed = await ClapModel.create(base.config, { seed: 99, captions: ['a tone'] });
    base.dispose();
    await changed.save(other);
    changed.dispose();
    const mismatch = clapjs([
      'index',
      'search',
      '--db',
      db,
      'tone',
      '-m',
      other,
      '--backend',
      'cpu',
    ]);
    expect(mismatch.status).toBe(2);
    expect(mismatch.stderr).toMatch(
      /^clapjs: Table "library" was built with model from .* but model from .*other-model/m,
    );
    expect(mismatch.stderr).not.toMatch(/\n\s+at /);
    const filter = clapjs(['index', 'search', '--db', db, 'tone', '--where', 'nope =']);
    expect(filter.status).toBe(2);
    expect(filter.stderr).toMatch(/^clapjs: LanceDB rejected the query \(filter: nope =\)/m);
  });

  it('indexes the files a manifest lists with their captions; refuses a malformed --storage-option', () => {
    const db = join(dir, 'manifest-db');
    const manifest = join(dir, 'captions.jsonl');
    writeFileSync(
      manifest,
      [
        { path: 'set-0/tone-200.wav', caption: 'a low hum' },
        { path: 'set-1/tone-250.wav', captions: ['a whistle', 'high pitch'], label: 'whistle' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const build = clapjs([
      'index',
      'build',
      lib,
      '--db',
      db,
      '-m',
      model,
      '--manifest',
      manifest,
      '--storage-option',
      'timeout=30s',
      '--backend',
      'cpu',
      '--no-progress',
    ]);
    expect(build.status, build.stderr).toBe(0);
    expect(build.stdout).toContain('2 files: 2 embedded (2 added)');
    const hits = clapjs([
      'index',
      'search',
      '--db',
      db,
      'tone',
      '--where',
      "caption LIKE '%whistle%'",
      '--json',
    ]);
    expect(hits.status, hits.stderr).toBe(0);
    const [hit] = JSON.parse(hits.stdout) as { path: string; caption: string; metadata: unknown }[];
    expect(hit?.path).toBe('set-1/tone-250.wav');
    expect(hit?.caption).toBe('a whistle | high pitch');
    expect(hit?.metadata).toEqual({ captions: ['a whistle', 'high pitch'], label: 'whistle' });
    const bad = clapjs(['index', 'search', '--db', db, 'tone', '--storage-option', 'timeout']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^clapjs: --storage-option timeout: expected KEY=VALUE/m);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('spreads a build over `clapjs worker` processes through Redis', async () => {
    const db = join(dir, 'queued');
    const worker = spawn(
      process.execPath,
      [
        CLI,
        'worker',
        '--queue',
        redis.url,
        '--db',
        db,
        '--root',
        `sounds=${lib}`,
        '--backend',
        'cpu',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const build = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          [
            CLI,
            'index',
            'build',
            lib,
            '--db',
            db,
            '-m',
            model,
            '--queue',
            redis.url,
            '--batch',
            '5',
            '--backend',
            'cpu',
          ],
          {
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let stdout = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.once('exit', (status) => resolve({ status, stdout }));
      });
      expect(build.status, build.stdout).toBe(0);
      expect(build.stdout).toMatch(/enqueued 5 batches \(21 files, root "sounds"\)/);
      expect(build.stdout).toContain('21 files: 20 embedded (20 added)');
      expect(build.stdout).toMatch(/skipped broken\.wav: AUDIO_DECODE/);
      const again = clapjs([
        'index',
        'build',
        lib,
        '--db',
        db,
        '--queue',
        redis.url,
        '--batch',
        '5',
      ]);
      expect(again.stdout).toMatch(/already enqueued .*nothing added/);
    } finally {
      worker.kill('SIGTERM');
    }
  });
});
