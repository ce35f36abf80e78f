// The hostile-input suite of the CLI: bad paths, damaged models, FIFOs, clobbering outputs,
// malformed arguments. For every case: exit code 2, one line on stderr, no stack trace, the
// process gone within 30 s, and nothing outside the target touched (a snapshot of the world
// directory the case lives in is compared before and after).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { Rng } from '@clapjs/core';
import { CLI, tempDir } from './helpers.js';

const run = inject('tinyRun');
const model = join(run, 'model');
const rng = new Rng(19);

/** Every path under `dir` with its kind, size and content hash (what "touched" compares). */
function snapshot(dir: string, skip: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (path: string): void => {
    if (skip.includes(path)) return;
    const stat = lstatSync(path);
    if (stat.isDirectory()) {
      out[path] = 'dir';
      for (const name of readdirSync(path)) walk(join(path, name));
    } else if (stat.isFile()) {
      out[path] = createHash('sha256').update(readFileSync(path)).digest('hex');
    } else out[path] = stat.isSymbolicLink() ? 'link' : 'special';
  };
  walk(dir);
  return out;
}

/**
 * Runs `clapjs ...args` in `world` and checks the refusal: exit 2 within 30 s, one stderr line
 * matching `message`, no stack, and `world` unchanged except under `target`.
 */
function refused(world: string, args: string[], message: RegExp, target?: string): string {
  const before = snapshot(world, target === undefined ? [] : [target]);
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: world,
    encoding: 'utf8',
    timeout: 30_000,
    killSignal: 'SIGKILL',
  });
  expect(r.signal, `still running after 30 s: clapjs ${args.join(' ')}`).toBeNull();
  expect(r.status, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).toMatch(message);
  expect(snapshot(world, target === undefined ? [] : [target])).toEqual(before);
  return r.stderr;
}

interface Manifest {
  weightsManifest: { paths: unknown[]; weights: { dtype: unknown }[] }[];
}

/** A copy of the tiny model with `edit` applied to its model.json. */
function damagedModel(world: string, edit: (manifest: Manifest) => void): string {
  const dir = join(world, 'model');
  cpSync(model, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Manifest;
  edit(manifest);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(manifest));
  return dir;
}

const wasm = ['--backend', 'wasm'];

describe('hostile inputs to the CLI: refused with one line, nothing lost', () => {
  it('export never deletes what it did not write: --out DIR with files, --out ., --out file/sub', () => {
    const world = tempDir();
    writeFileSync(join(world, 'notes.txt'), 'mine');
    mkdirSync(join(world, 'music'));
    writeFileSync(join(world, 'music', 'song.wav'), 'mine too');
    const m = ['--format', 'tfjs', '--model', model, ...wasm];
    refused(
      world,
      ['export', ...m, '--out', 'music'],
      /Refusing to export to .*music: .*\.clapjs-export/,
    );
    refused(world, ['export', ...m, '--out', '.'], /Refusing to export to /);
    refused(
      world,
      ['export', ...m, '--out', 'notes.txt/sub'],
      /notes\.txt is a file, not a directory/,
    );
  });

  it('train refuses run names and outputs that would escape or clobber', () => {
    const world = tempDir();
    writeFileSync(
      join(world, 'dots.yaml'),
      'name: ".."\ndata: { dataset: { name: synth, size: 40 } }\n',
    );
    refused(world, ['train', '-c', 'dots.yaml'], /at name: a run name is one folder name/);
    writeFileSync(join(world, 'tiny.yaml'), readFileSync(inject('tinyConfig')));
    writeFileSync(join(world, 'file'), 'x');
    refused(world, ['train', '-c', 'tiny.yaml', '--out', 'file'], /it is a file, not a directory/);
    // A run directory with checkpoints: refused without --resume/--overwrite, checkpoints kept.
    cpSync(join(run, 'checkpoints'), join(world, 'old', 'checkpoints'), { recursive: true });
    refused(
      world,
      ['train', '-c', 'tiny.yaml', '--out', 'old', '--steps', '2'],
      /old already holds 1 checkpoint\(s\) .*--resume, or start over with --overwrite/,
    );
    // Another live process holds the run directory.
    mkdirSync(join(world, 'busy'));
    writeFileSync(join(world, 'busy', '.clapjs-run.lock'), `${process.pid}\n`);
    refused(
      world,
      ['train', '-c', 'tiny.yaml', '--out', 'busy', '--steps', '2'],
      new RegExp(`busy is in use by another training process \\(PID ${process.pid}`),
    );
  });

  it('--steps that is not a whole positive number is refused before anything is built', () => {
    const world = tempDir();
    const generated = Array.from({ length: 2 }, () => {
      const x = rng.next() * 1000;
      return [x.toExponential(1), x.toFixed(2), `-${Math.ceil(x)}`][Math.floor(rng.next() * 3)]!;
    });
    for (const steps of ['1e2', '1.5', 'abc', ...generated])
      refused(world, ['train', '--steps', steps], /--steps .*positive whole number of steps/);
  });

  it('damaged saved models: NaN weights, paths out of the directory, devices, bad groups', () => {
    const clip = join(run, 'model', 'config.json'); // never decoded: each model is refused first
    const cases: [(m: Manifest) => void, RegExp][] = [
      [(m) => (m.weightsManifest[0]!.paths = ['../../../../etc/passwd']), /not a file name inside/],
      [(m) => (m.weightsManifest[0]!.paths = ['/dev/zero']), /not a file name inside/],
      [(m) => m.weightsManifest.push(null as never), /group 1 is null/],
      [(m) => (m.weightsManifest[0]!.weights[0]!.dtype = 'complex64'), /dtype "complex64"/],
    ];
    for (const [edit, message] of cases) {
      const world = tempDir();
      const dir = damagedModel(world, edit);
      refused(world, ['classify', clip, '-l', 'a,b', '-m', dir, ...wasm], message);
    }
    const world = tempDir();
    const dir = damagedModel(world, () => {});
    const shard = readdirSync(dir).find((n) => n.endsWith('.bin'))!;
    const bytes = readFileSync(join(dir, shard));
    bytes.writeFloatLE(Number.NaN, 0);
    writeFileSync(join(dir, shard), bytes);
    const err = refused(
      world,
      ['classify', clip, '-l', 'a,b', '-m', dir, ...wasm],
      /NaN or Infinity/,
    );
    expect(err).not.toMatch(/NaN %/);
  });

  it('truncated or garbled compressed audio is one line, without decoder noise', () => {
    const world = tempDir();
    const fixtures = new URL('../../../packages/audio/fixtures/', import.meta.url);
    const mp3 = readFileSync(new URL('tone.mp3', fixtures));
    writeFileSync(join(world, 'cut.mp3'), mp3.subarray(0, Math.floor(mp3.length / 2)));
    const ogg = readFileSync(new URL('tone.ogg', fixtures));
    writeFileSync(join(world, 'cut.ogg'), ogg.subarray(0, ogg.length - 100));
    // An MPEG layer III header and seeded noise: the decoder's own error lines stay off stderr.
    const noise = Uint8Array.from({ length: 3000 }, () => Math.floor(rng.next() * 256));
    noise.set([0xff, 0xfb]);
    writeFileSync(join(world, 'noise.mp3'), noise);
    for (const [file, message] of [
      ['cut.mp3', /cut\.mp3.*MP3 stream is truncated/],
      ['cut.ogg', /cut\.ogg.*Ogg stream is truncated/],
      ['noise.mp3', /noise\.mp3.*corrupt MP3 data/],
    ] as const) {
      const err = refused(world, ['classify', file, '-l', 'a,b', '-m', model, ...wasm], message);
      expect(err).not.toMatch(/mpg123-decoder/);
    }
  });

  it('FIFOs and directories where files are expected never block', () => {
    const world = tempDir();
    spawnSync('mkfifo', [join(world, 'pipe.wav')]);
    refused(
      world,
      ['classify', 'pipe.wav', '-l', 'a,b', '-m', model, ...wasm],
      /not a regular file/,
    );
    refused(
      world,
      ['search', '--text', 'a hum', '--dir', '.', '-m', model, ...wasm],
      /pipe\.wav is not a regular file/,
    );
    mkdirSync(join(world, 'cfg.yaml'));
    refused(world, ['train', '-c', 'cfg.yaml'], /config path .*cfg\.yaml is not a file/);
    mkdirSync(join(world, 'list.jsonl'));
    writeFileSync(
      join(world, 'm.yaml'),
      'data: { dataset: { name: manifest, path: list.jsonl } }\n',
    );
    refused(world, ['data', 'stats', '-c', 'm.yaml'], /list\.jsonl is a directory/);
    refused(
      world,
      ['embed', '--text', 'x', '--out', '.', '-m', model, ...wasm],
      /--out .* is a directory/,
    );
    refused(
      world,
      ['embed', '--text', 'x', '--out', 'no/x.json', '-m', model, ...wasm],
      /folder .*no does not exist/,
    );
  });

  it('datasets: symlinks out of the root, hostile tar sizes; configs: .inf, plugins throwing 42', () => {
    const world = tempDir();
    mkdirSync(join(world, 'data', 'clips'), { recursive: true });
    writeFileSync(join(world, 'secret.wav'), 'SECRET-CONTENT');
    symlinkSync(join(world, 'secret.wav'), join(world, 'data', 'clips', 'x.wav'));
    writeFileSync(join(world, 'data', 'list.jsonl'), '{"path":"clips/x.wav","caption":"x"}\n');
    writeFileSync(
      join(world, 'link.yaml'),
      'data: { dataset: { name: manifest, path: data/list.jsonl } }\n',
    );
    const err = refused(world, ['data', 'stats', '-c', 'link.yaml'], /outside the dataset root/);
    expect(err).not.toContain('SECRET');
    // A shard whose first header has size -1 (octal field "-1"): refused, not a hang.
    const header = Buffer.alloc(512);
    header.write('a.wav', 0);
    header.write('-1', 124);
    header.write('0', 156);
    header.write('        ', 148);
    header.write(
      `${[...header]
        .reduce((a, b) => a + b, 0)
        .toString(8)
        .padStart(6, '0')}\0 `,
      148,
    );
    mkdirSync(join(world, 'shards'));
    writeFileSync(join(world, 'shards', 'bad.tar'), Buffer.concat([header, Buffer.alloc(1536)]));
    writeFileSync(
      join(world, 'tar.yaml'),
      'data: { dataset: { name: webdataset, path: shards } }\n',
    );
    refused(
      world,
      ['data', 'stats', '-c', 'tar.yaml'],
      /bad\.tar: member "a\.wav" .* has size NaN/,
    );
    writeFileSync(
      join(world, 'inf.yaml'),
      'data: { dataset: { name: synth } }\ntrain: { lr: .inf }\n',
    );
    refused(
      world,
      ['train', '-c', 'inf.yaml'],
      /at train\.lr: expected a finite number, got Infinity/,
    );
    writeFileSync(join(world, 'p42.mjs'), 'throw 42;\n');
    writeFileSync(
      join(world, 'p.yaml'),
      'plugins: [./p42.mjs]\ndata: { dataset: { name: synth } }\n',
    );
    refused(world, ['train', '-c', 'p.yaml', '--out', 'prun'], /it threw 42/, join(world, 'prun'));
  });
});
