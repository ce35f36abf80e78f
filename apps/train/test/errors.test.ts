import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeWav } from '@clapjs/audio';
import { parseTrainConfig } from '../src/index.js';
import { clapjs, tempDir } from './helpers.js';

const tinyModel = {
  audioEncoder: { name: 'cnn-small', channels: [4, 8], dropout: 0 },
  textEncoder: { name: 'bag-of-embeddings', width: 16 },
  audioProjection: { name: 'linear', dim: 16 },
  textProjection: { name: 'linear', dim: 16 },
};

function tone(hz: number): Uint8Array {
  const samples = new Float32Array(8000).map(
    (_, i) => 0.3 * Math.sin((2 * Math.PI * hz * i) / 16000),
  );
  return encodeWav(samples, 16000);
}

/** A manifest dataset in a temp dir: `rows` JSONL rows, plus a config that trains 2 steps on it. */
function manifestRun(
  rows: object[],
  dataset: object = {},
  files: Record<string, Uint8Array> = {},
): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'audio'));
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, 'audio', name), bytes);
  writeFileSync(join(dir, 'train.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
  const config = {
    name: 'manifest-test',
    backend: 'wasm',
    model: tinyModel,
    data: {
      dataset: { name: 'manifest', path: 'train.jsonl', ...dataset },
      batchSize: 4,
      onCorrupt: 'skip',
    },
    train: { steps: 2 },
    eval: { split: 'train' },
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

function goodFiles(n: number): { rows: object[]; files: Record<string, Uint8Array> } {
  const rows: object[] = [];
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < n; i++) {
    files[`t${i}.wav`] = tone(200 + 100 * i);
    rows.push({ path: `audio/t${i}.wav`, caption: `tone number ${i}` });
  }
  return { rows, files };
}

describe('config errors point at the key', () => {
  it('unknown key, bad value, wrong type', () => {
    expect(() =>
      parseTrainConfig({ data: { dataset: { name: 'synth' } }, train: { lrate: 1 } }),
    ).toThrow(/at train\.lrate: unknown key "lrate"/);
    expect(() =>
      parseTrainConfig({ data: { dataset: { name: 'synth' } }, train: { lr: -1 } }),
    ).toThrow(/at train\.lr:/);
    expect(() => parseTrainConfig({ data: { dataset: { name: 'synth' }, batchSize: 1 } })).toThrow(
      /at data\.batchSize: a contrastive batch needs at least 2/,
    );
    expect(() => parseTrainConfig({})).toThrow(/at data:/);
  });

  it('the CLI prints one clear line and exits 2: missing file, bad YAML, unknown plugin, bad plugin key', () => {
    const dir = tempDir();
    expect(clapjs(['train', '--config', join(dir, 'none.yaml')]).stderr).toMatch(
      /Config file not found: .*none\.yaml/,
    );
    writeFileSync(join(dir, 'bad.yaml'), 'data: [unclosed');
    const bad = clapjs(['train', '--config', join(dir, 'bad.yaml')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/Cannot parse .*bad\.yaml/);
    writeFileSync(
      join(dir, 'plugin.yaml'),
      'data: { dataset: { name: synth, size: 50 } }\nmodel: { audioEncoder: { name: cnn99 } }\n',
    );
    expect(
      clapjs(['train', '--config', join(dir, 'plugin.yaml'), '--backend', 'wasm']).stderr,
    ).toMatch(/Unknown audio-encoder "cnn99"\. Known: .*cnn-small/);
    writeFileSync(
      join(dir, 'key.yaml'),
      'data: { dataset: { name: synth, size: 50 } }\nmodel: { audioEncoder: { name: cnn-small, channelz: [4] } }\n',
    );
    expect(
      clapjs(['train', '--config', join(dir, 'key.yaml'), '--backend', 'wasm']).stderr,
    ).toMatch(/audioEncoder/);
    writeFileSync(
      join(dir, 'plugins.yaml'),
      'plugins: [./nope.js]\ndata: { dataset: { name: synth } }\n',
    );
    expect(clapjs(['train', '--config', join(dir, 'plugins.yaml')]).stderr).toMatch(
      /Cannot find plugin package "[^"]*nope\.js", looked up from .*Give a path relative/,
    );
  });
});

describe('dataset errors', () => {
  it('corrupt audio in a manifest is skipped and counted with onCorrupt: skip', () => {
    const { rows, files } = goodFiles(8);
    const dir = manifestRun(
      [...rows, { path: 'audio/bad.wav', caption: 'broken' }],
      {},
      { ...files, 'bad.wav': new TextEncoder().encode('RIFF not really a wav') },
    );
    const r = clapjs([
      'train',
      '--config',
      join(dir, 'config.json'),
      '--out',
      join(dir, 'run'),
      '--no-progress',
    ]);
    expect(r.stderr).not.toMatch(/clapjs:/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/skipped 1 corrupt/);
  });

  it('corrupt audio is fatal, naming the file, with onCorrupt: fail', () => {
    const { rows, files } = goodFiles(8);
    const dir = manifestRun(
      [...rows, { path: 'audio/bad.wav', caption: 'broken' }],
      {},
      { ...files, 'bad.wav': new TextEncoder().encode('RIFF not really a wav') },
    );
    const config = join(dir, 'config.json');
    const parsed = JSON.parse(readFileSync(config, 'utf8')) as { data: object };
    writeFileSync(
      config,
      JSON.stringify({ ...parsed, data: { ...parsed.data, onCorrupt: 'fail' } }),
    );
    const r = clapjs(['train', '--config', config, '--out', join(dir, 'run'), '--no-progress']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Could not decode the audio of item .*bad\.wav/);
  });

  it('an empty dataset, a missing file and a path escaping the root each get a clear error', () => {
    const empty = manifestRun([]);
    expect(
      clapjs(['train', '--config', join(empty, 'config.json'), '--no-progress']).stderr,
    ).toMatch(/clapjs: .*(empty|no items)/i);
    const missing = manifestRun([{ path: 'audio/ghost.wav', caption: 'a ghost' }]);
    expect(
      clapjs(['train', '--config', join(missing, 'config.json'), '--no-progress']).stderr,
    ).toMatch(/ghost\.wav does not exist/);
    const escape = manifestRun([{ path: '../../etc/passwd', caption: 'secrets' }]);
    expect(
      clapjs(['train', '--config', join(escape, 'config.json'), '--no-progress']).stderr,
    ).toMatch(/resolves outside the dataset root/);
  });
});
