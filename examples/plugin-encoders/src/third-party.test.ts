// A third party's view of this plugin: the packages are packed (`pnpm pack`, as publishing does),
// installed with npm in a folder outside the workspace (no workspace links), and the installed
// `clapjs` CLI, run from there, trains a model with this package's encoders and then uses it with
// every command that loads a model.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const config = fileURLToPath(new URL('../configs/train-with-plugins.yaml', import.meta.url));

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
}

/** Every workspace package by name, with its directory. */
function workspacePackages(): Map<string, { dir: string; manifest: Manifest }> {
  const out = new Map<string, { dir: string; manifest: Manifest }>();
  for (const group of ['packages', 'apps', 'examples']) {
    for (const name of readdirSync(join(root, group))) {
      const file = join(root, group, name, 'package.json');
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
      out.set(manifest.name, { dir: dirname(file), manifest });
    }
  }
  return out;
}

/** The workspace packages `start` needs at run time (themselves and their workspace dependencies). */
function closure(start: readonly string[]): string[] {
  const all = workspacePackages();
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const deps = all.get(name)?.manifest.dependencies ?? {};
    for (const [dep, range] of Object.entries(deps)) if (range.startsWith('workspace:')) visit(dep);
  };
  start.forEach(visit);
  return [...seen].sort();
}

let work: string;
let user: string;

function clapjs(args: string[], cwd = user) {
  const r = spawnSync(join(user, 'node_modules', '.bin', 'clapjs'), args, {
    cwd,
    encoding: 'utf8',
    timeout: 240_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'clapjs-third-party-'));
  user = join(work, 'user');
  const tarballs = join(work, 'tarballs');
  mkdirSync(user);
  mkdirSync(tarballs);
  const all = workspacePackages();
  const files: Record<string, string> = {};
  for (const name of closure(['clapjs', 'clapjs-example-plugin-encoders'])) {
    const before = new Set(readdirSync(tarballs));
    execFileSync('pnpm', ['pack', '--pack-destination', tarballs], {
      cwd: all.get(name)!.dir,
      stdio: 'ignore',
    });
    const made = readdirSync(tarballs).find((f) => !before.has(f))!;
    files[name] = `file:${join(tarballs, made)}`;
  }
  writeFileSync(
    join(user, 'package.json'),
    JSON.stringify({
      name: 'third-party-user',
      private: true,
      type: 'module',
      dependencies: {
        clapjs: files.clapjs,
        'clapjs-example-plugin-encoders': files['clapjs-example-plugin-encoders'],
      },
      // The tarballs' own @clapjs dependencies (^0.1.0 after packing) come from the tarballs too.
      overrides: files,
    }),
  );
  // --ignore-scripts: optional packages install without their download scripts (tfjs-node-gpu's
  // libtensorflow); the CLI falls back to the backends that load.
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts'], {
    cwd: user,
    stdio: 'ignore',
    env: { ...process.env, CLAPJS_NATIVE_SKIP_BUILD: '1' },
  });
  cpSync(config, join(user, 'train.yaml'));
}, 900_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('a model trained with this third-party plugin, through the installed clapjs CLI', () => {
  const model = () => join(user, 'run', 'model');

  it('has no workspace links: the CLI and the plugin are installed copies', () => {
    const installed = join(user, 'node_modules', 'clapjs', 'package.json');
    const manifest = JSON.parse(readFileSync(installed, 'utf8')) as Manifest;
    expect(Object.values(manifest.dependencies ?? {}).join(' ')).not.toMatch(/workspace:/);
    expect(existsSync(join(user, 'node_modules', '@clapjs', 'core', 'src'))).toBe(false);
  });

  it('trains, and the saved model records the plugin package', () => {
    const r = clapjs(['train', '--config', 'train.yaml', '--out', 'run', '--no-progress']);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status, r.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(join(model(), 'config.json'), 'utf8')) as {
      audioEncoder: { name: string };
      plugins?: string[];
    };
    expect(saved.audioEncoder.name).toBe('frame-attention');
    expect(saved.plugins).toEqual(['clapjs-example-plugin-encoders']);
  });

  it('exports a web bundle whose clips the other commands use', () => {
    const r = clapjs([
      'export',
      '--format',
      'web',
      '--out',
      'web',
      '--examples',
      '3',
      '--model',
      model(),
    ]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(join(user, 'web', 'examples'))).toHaveLength(3);
  });

  it('classifies a clip, from another working directory too', () => {
    const clip = join(user, 'web', 'examples', '00.wav');
    for (const cwd of [user, work]) {
      const r = clapjs(
        ['classify', clip, '--labels', 'a hum,a click,noise', '--model', model(), '--json'],
        cwd,
      );
      expect(r.stderr).not.toMatch(/Error/);
      expect(r.status, r.stderr).toBe(0);
      const ranked = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { probability: number }[];
      expect(ranked).toHaveLength(3);
      expect(ranked.reduce((s, x) => s + x.probability, 0)).toBeCloseTo(1, 4);
    }
  });

  it('searches a directory and embeds audio and text', () => {
    const s = clapjs([
      'search',
      '--text',
      'a hum',
      '--dir',
      'web/examples',
      '-k',
      '2',
      '--model',
      model(),
    ]);
    expect(s.stderr).not.toMatch(/Error/);
    expect(
      s.stdout
        .trim()
        .split('\n')
        .filter((l) => l.endsWith('.wav')),
    ).toHaveLength(2);
    const e = clapjs(['embed', 'web/examples/01.wav', '--text', 'a hum', '--model', model()]);
    expect(e.stderr).not.toMatch(/Error/);
    const rows = JSON.parse(e.stdout) as { kind: string; embedding: number[] }[];
    expect(rows.map((r) => r.kind)).toEqual(['audio', 'text']);
    for (const row of rows) expect(Math.hypot(...row.embedding)).toBeCloseTo(1, 4);
  });

  it('evaluates with the config and exports tfjs weights', () => {
    const ev = clapjs(['eval', '--config', 'train.yaml', '--model', model()]);
    expect(ev.stderr).not.toMatch(/Error/);
    expect(ev.status, ev.stderr).toBe(0);
    const metrics = JSON.parse(ev.stdout.slice(ev.stdout.indexOf('{'))) as Record<string, number>;
    expect(Object.keys(metrics).length).toBeGreaterThan(0);
    for (const value of Object.values(metrics)) expect(Number.isFinite(value)).toBe(true);
    const ex = clapjs(['export', '--format', 'tfjs', '--out', 'tfjs', '--model', model()]);
    expect(ex.status, ex.stderr).toBe(0);
    expect(existsSync(join(user, 'tfjs', 'model', 'model.json'))).toBe(true);
  });

  it('names the package and version model.json records when the plugin is not installed', () => {
    const copy = join(work, 'elsewhere', 'model');
    cpSync(model(), copy, { recursive: true });
    const rename = (file: string) =>
      writeFileSync(
        join(copy, file),
        readFileSync(join(copy, file), 'utf8')
          .replaceAll('clapjs-example-plugin-encoders', 'acme-clap-encoders')
          .replaceAll('"version": "0.1.0"', '"version": "2.3.4"'),
      );
    rename('config.json');
    rename('model.json');
    const r = clapjs(['classify', 'web/examples/00.wav', '--labels', 'a,b', '--model', copy]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/"acme-clap-encoders" \(version 2\.3\.4, recorded in model\.json\)/);
  });
});
