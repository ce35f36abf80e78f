import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sharedState } from '@clapjs/core';

/** What the compiled addon (native/addon.cc) exports. All calls are synchronous. */
export interface NativeAddon {
  /** kind 0: y = conv(x, w); 1: dx from (dy, w); 2: dW from (x, dy). geometry: see convGeometry. */
  conv2d(
    kind: 0 | 1 | 2,
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    geometry: number[],
  ): void;
  matMul(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    aBatch: number[],
    bBatch: number[],
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
  ): void;
  /** kind 0: y = avgPool(x); 1: dx from dy. geometry as for conv2d with k = c, dilation 1. */
  avgPool(kind: 0 | 1, a: Float32Array, c: Float32Array, geometry: number[]): void;
  /** One Adam/AdamW update: p, m, v, g in; pOut, mOut, vOut out; 10 float32 constants (adam.ts). */
  adamUpdate(
    p: Float32Array,
    m: Float32Array,
    v: Float32Array,
    g: Float32Array,
    pOut: Float32Array,
    mOut: Float32Array,
    vOut: Float32Array,
    constants: Float32Array,
  ): void;
  /** kind 0: y = gelu(x); 1: dx = dy·gelu′(x) (native/gelu.cc). All of x's length. */
  gelu(kind: 0, x: Float32Array, y: Float32Array): void;
  gelu(kind: 1, x: Float32Array, dx: Float32Array, dy: Float32Array): void;
  /** Training-mode BatchNorm (+ ReLU) of a [rows, c] matrix (native/batchnorm.cc). */
  batchNorm(
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    invStd: Float32Array,
    rows: number,
    c: number,
    epsilon: number,
    relu: boolean,
  ): void;
  /** Its gradient: dx, dGamma, dBeta from dy and the forward pass's x, gamma, mean, invStd, y. */
  batchNormGrad(
    dy: Float32Array,
    x: Float32Array,
    gamma: Float32Array,
    mean: Float32Array,
    invStd: Float32Array,
    y: Float32Array,
    dx: Float32Array,
    dGamma: Float32Array,
    dBeta: Float32Array,
    rows: number,
    c: number,
    relu: boolean,
  ): void;
  /** Σ x² over every element of every array, accumulated in double (native/norm.cc). */
  sumOfSquares(arrays: Float32Array[]): number;
  setThreads(n: number): number;
  threads(): number;
  setLayout(layout: 'direct' | 'any'): void;
  cacheSize(): number;
  clearCache(): void;
  info(): { version: string; isa: string; runtime: string; threads: number };
}

/** The outcome of loading the addon: the addon, or why it could not load and the fix. */
export type AddonLoad =
  { ok: true; addon: NativeAddon; path: string } | { ok: false; reason: string; path: string };

const BINARY = 'kernels_native.node';
const BUILD_FIX =
  'apt-get install libdnnl-dev && pnpm --filter @clapjs/kernels-native build (in the clapjs repository), or npm rebuild @clapjs/kernels-native';

// Loaded addons by path, in core's shared state so that the ESM and CJS copies of this package
// share one instance (one primitive cache, one thread setting) instead of loading the library twice.
function loadedAddons(): Map<string, NativeAddon> {
  return sharedState('@clapjs/kernels-native/addons', () => new Map<string, NativeAddon>());
}

function moduleDir(): string {
  // tsup's shims give import.meta.url a value in the CJS build too.
  return dirname(fileURLToPath(import.meta.url));
}

/**
 * Where the addon is looked for: `explicit`, else $CLAPJS_NATIVE_ADDON, else
 * dist/<platform>-<arch>/kernels_native.node beside the built module (or, when running from src/
 * in the repository, in ../dist).
 */
export function addonPath(explicit?: string): string {
  const chosen = explicit ?? process.env.CLAPJS_NATIVE_ADDON;
  if (chosen !== undefined && chosen !== '') return chosen;
  const platform = `${process.platform}-${process.arch}`;
  const here = moduleDir();
  const candidates = [join(here, platform, BINARY), join(here, '..', 'dist', platform, BINARY)];
  return candidates.find((p) => existsSync(p)) ?? (candidates[0] as string);
}

/** Loads the addon (once per path per process). Never throws: a failure says why and the fix. */
export function loadAddon(explicit?: string): AddonLoad {
  const path = addonPath(explicit);
  const cached = loadedAddons().get(path);
  if (cached !== undefined) return { ok: true, addon: cached, path };
  if (typeof process === 'undefined' || typeof process.dlopen !== 'function') {
    return {
      ok: false,
      path,
      reason: 'not in Node.js (native addons need Node): use @clapjs/kernels-wasm',
    };
  }
  if (!existsSync(path)) {
    return { ok: false, path, reason: `not built: ${path} does not exist. Fix: ${BUILD_FIX}` };
  }
  // OpenMP's idle threads spin after each parallel region by default; between native kernels the
  // JS thread runs the wasm backend's own ops, which the spinning threads slow down (CLAP-mini
  // step: 1.7 s → 1.2 s of kernel time with 'passive'). libgomp reads the policy once, when it is
  // loaded (with the addon), so it is set around the load unless the user chose one.
  const setPolicy = process.env.OMP_WAIT_POLICY === undefined;
  if (setPolicy) process.env.OMP_WAIT_POLICY = 'passive';
  try {
    const module = { exports: {} as NativeAddon };
    process.dlopen(module, path);
    loadedAddons().set(path, module.exports);
    return { ok: true, addon: module.exports, path };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const fix = /libdnnl\.so/.test(message)
      ? 'the oneDNN runtime is missing: apt-get install libdnnl2 (or libdnnl-dev)'
      : `rebuild it for this machine: ${BUILD_FIX}`;
    return {
      ok: false,
      path,
      reason: `cannot load ${path}: ${message.split('\n')[0]}. Fix: ${fix}`,
    };
  } finally {
    if (setPolicy) delete process.env.OMP_WAIT_POLICY;
  }
}
