// Deterministic embeddings: `clapjs embed` gives one file the bit-identical vector in separate
// processes on one route, and vectors within 1e-5 of each other across routes (the cpu backend,
// wasm with @clapjs/kernels-wasm, wasm with @clapjs/kernels-native's oneDNN kernels).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import '@tensorflow/tfjs-backend-wasm';
import { registerNativeKernels } from '@clapjs/kernels-native';
import { encodeWav } from '@clapjs/audio';
import { Rng } from '@clapjs/core';
import { CLI, tempDir } from './helpers.js';

/** Routes the CLI can take on a CPU, with the environment that picks each. */
const ROUTES = {
  cpu: { backend: 'cpu', env: {} },
  // An addon path that does not exist: kernels-native reports "not built" and kernels-wasm runs.
  'wasm + kernels-wasm': { backend: 'wasm', env: { CLAPJS_NATIVE_ADDON: '/nonexistent.node' } },
  'wasm + kernels-native': { backend: 'wasm', env: {} },
} as const;
type Route = keyof typeof ROUTES;

describe('deterministic embeddings', () => {
  const dir = tempDir('clapjs-embed-routes-');
  const file = join(dir, 'chirp-noise.wav');
  let model: string;
  let run = 0;

  /** The file's audio embedding from a fresh `clapjs embed` process on `route`. */
  function embed(route: Route): Float32Array {
    const out = join(dir, `embedding-${run++}.json`);
    const { backend, env } = ROUTES[route];
    const r = spawnSync(
      process.execPath,
      [CLI, 'embed', file, '-m', model, '--backend', backend, '-o', out],
      { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } },
    );
    expect(r.status, r.stderr).toBe(0);
    const [item] = JSON.parse(readFileSync(out, 'utf8')) as { embedding: number[] }[];
    return Float32Array.from(item?.embedding ?? []);
  }

  beforeAll(() => {
    model = join(inject('tinyRun'), 'model');
    // 3.3 s at 16 kHz: a chirp under noise, long enough for several windows (their mean is embedded).
    const rng = new Rng(5);
    const samples = Float32Array.from(
      { length: 52_800 },
      (_, i) =>
        0.3 * Math.sin(2 * Math.PI * (300 + 200 * (i / 16000)) * (i / 16000)) +
        0.05 * rng.normal(0, 1),
    );
    writeFileSync(file, encodeWav(samples, 16000));
  });

  it('gives the bit-identical vector in two processes on one route', () => {
    const first = embed('wasm + kernels-wasm');
    const second = embed('wasm + kernels-wasm');
    expect(first.length).toBeGreaterThan(0);
    expect(Buffer.from(second.buffer).equals(Buffer.from(first.buffer))).toBe(true);
  });

  it('gives vectors within 1e-5 across cpu, wasm + kernels-wasm and wasm + kernels-native', () => {
    // Whether this machine has the native addon built (else that route is kernels-wasm's again).
    const native = registerNativeKernels();
    const vectors = (Object.keys(ROUTES) as Route[]).map((route) => ({ route, v: embed(route) }));
    const reference = vectors[0]!.v;
    for (const { route, v } of vectors.slice(1)) {
      let diff = 0;
      for (let i = 0; i < v.length; i++) diff = Math.max(diff, Math.abs(v[i]! - reference[i]!));
      expect(v.length, route).toBe(reference.length);
      expect(diff, `${route} vs cpu (native kernels loaded: ${native.loaded})`).toBeLessThan(1e-5);
    }
  });
});
