import * as tf from '@tensorflow/tfjs-core';
import type * as NodeFs from 'node:fs';
import { BackendError } from './errors.js';
import { kernelPackStatuses } from './kernel-packs.js';
import type { KernelPackStatus } from './kernel-packs.js';

/** The tfjs backends clapjs knows how to load, fastest first. */
export type BackendName = 'tensorflow' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** The order `'auto'` tries. */
export const AUTO_BACKEND_ORDER: readonly BackendName[] = [
  'tensorflow',
  'webgpu',
  'webgl',
  'wasm',
  'cpu',
];

/** One backend that was tried: whether it loaded, and if not, why and how to fix it. */
export interface BackendAttempt {
  readonly name: BackendName;
  readonly ok: boolean;
  /** For a loaded backend, what it is (e.g. which package); for a skipped one, why. */
  readonly reason: string;
}

/** The chosen backend and the story of how it was chosen. */
export interface BackendSelection {
  readonly name: BackendName;
  readonly attempts: readonly BackendAttempt[];
  /** The kernel packs reported for the chosen backend (see {@link reportKernelPack}). */
  readonly kernelPacks: readonly KernelPackStatus[];
}

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /**
   * Imports an optional package (`webgpu`, `@tensorflow/tfjs-backend-webgpu`, ...). Default:
   * core's own `import()`, which resolves from core's location. Under pnpm a package sees only
   * its own dependencies, so an app that installs an optional backend passes
   * `(specifier) => import(specifier)` to have it resolved from the app's node_modules.
   */
  readonly importModule?: (specifier: string) => Promise<unknown>;
}

/** What to ask for: `'auto'`, one backend, or an ordered list to try. */
export type BackendPreference = 'auto' | BackendName | readonly BackendName[];

const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;

type Importer = (specifier: string) => Promise<unknown>;
// `auto` is true when the backend is tried as part of 'auto' (then a software GPU is skipped).
type Loader = (importOptional: Importer, auto: boolean) => Promise<string>;

// A non-literal specifier keeps bundlers and the type checker from resolving optional packages.
function importFromCore(specifier: string): Promise<unknown> {
  return import(/* @vite-ignore */ specifier);
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? String(error)) : String(error);
}

function isMissingModule(error: unknown, specifier: string): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  const message = describeError(error);
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    message.includes(specifier) &&
    !message.includes('.node')
  );
}

async function loadTensorflow(importOptional: Importer): Promise<string> {
  const failures: string[] = [];
  for (const specifier of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await importOptional(specifier);
      return specifier;
    } catch (error) {
      if (isMissingModule(error, specifier)) {
        failures.push(`${specifier} is not installed`);
      } else if (describeError(error).includes('tfjs_binding.node')) {
        const gpu = specifier.endsWith('-gpu');
        failures.push(
          `${specifier} is installed but its native binding tfjs_binding.node is missing (its install script, which downloads libtensorflow, did not run). ` +
            `Fix: ${gpu ? 'install CUDA 11.2 + cuDNN 8.1, then ' : ''}run \`npm rebuild ${specifier}\` (with pnpm: allow its build under allowBuilds, then \`pnpm rebuild ${specifier}\`) on a machine that can reach the internet.`,
        );
      } else {
        failures.push(`${specifier} failed to load: ${describeError(error)}`);
      }
    }
  }
  throw new Error(failures.join('; '));
}

/**
 * On Linux, the device node a GPU driver exposes (NVIDIA, DRM render node, WSL), if any. Without
 * one (and no Vulkan driver named in the environment) `auto` does not start Dawn: on a CPU-only
 * machine it would only find a software adapter, after the Vulkan loader and Mesa print warnings
 * on stderr. node:fs is imported only here, so browser bundles of core do not need it.
 */
async function linuxWithoutGpuDevice(): Promise<boolean> {
  if (process.platform !== 'linux') return false;
  if (process.env.VK_ICD_FILENAMES !== undefined || process.env.VK_DRIVER_FILES !== undefined)
    return false;
  const fs = (await importFromCore('node:fs')) as typeof NodeFs;
  if (fs.existsSync('/dev/nvidia0') || fs.existsSync('/dev/dxg')) return false;
  try {
    return !fs.readdirSync('/dev/dri').some((name) => name.startsWith('renderD'));
  } catch {
    return true;
  }
}

async function loadWebgpu(importOptional: Importer, auto: boolean): Promise<string> {
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  let source = 'navigator.gpu';
  if (nav?.gpu === undefined) {
    if (!isNode) throw new Error('this browser has no WebGPU (navigator.gpu is undefined)');
    if (auto && (await linuxWithoutGpuDevice())) {
      throw new Error(
        'not tried: no GPU device on this machine (/dev/nvidia0, /dev/dri/renderD*, /dev/dxg); ask for the webgpu backend explicitly to try anyway',
      );
    }
    let dawn: { create(options: string[]): unknown; globals: Record<string, unknown> };
    try {
      dawn = (await importOptional('webgpu')) as typeof dawn;
    } catch (error) {
      throw new Error(
        isMissingModule(error, 'webgpu')
          ? 'the `webgpu` package (Dawn for Node) is not installed; `npm install webgpu` and the Vulkan loader (Debian: libvulkan1)'
          : `the \`webgpu\` package failed to load: ${describeError(error)}`,
        { cause: error },
      );
    }
    Object.assign(globalThis, dawn.globals);
    const gpu = dawn.create([]);
    Object.defineProperty(globalThis, 'navigator', {
      value: { ...(nav ?? {}), gpu },
      configurable: true,
      writable: true,
    });
    source = 'the webgpu package (Dawn)';
  }
  const gpu = (
    globalThis as unknown as { navigator: { gpu: { requestAdapter(): Promise<unknown> } } }
  ).navigator.gpu;
  const adapter = await gpu.requestAdapter();
  if (adapter === null || adapter === undefined) {
    throw new Error(
      `${source} found no GPU adapter; install a Vulkan driver and the Vulkan loader (Debian: libvulkan1), or set VK_ICD_FILENAMES`,
    );
  }
  const info = (
    adapter as {
      info?: {
        isFallbackAdapter?: boolean;
        description?: string;
        vendor?: string;
        architecture?: string;
      };
    }
  ).info;
  const software =
    info?.isFallbackAdapter === true ||
    (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  const what =
    info?.description ||
    [info?.vendor, info?.architecture].filter(Boolean).join(' ') ||
    'an unnamed adapter';
  if (software && auto) {
    // SwiftShader or lavapipe: WebGPU on the CPU, far slower than wasm for training.
    throw new Error(
      `${source} found only a software adapter (${what}), which runs on the CPU, slower than wasm; ask for the webgpu backend explicitly to use it anyway (e.g. for correctness checks)`,
    );
  }
  await importOptional('@tensorflow/tfjs-backend-webgpu');
  return `@tensorflow/tfjs-backend-webgpu via ${source} on ${what}${software ? ' (a software adapter: runs on the CPU)' : ''}`;
}

async function loadWebgl(importOptional: Importer): Promise<string> {
  if (isNode) throw new Error('webgl exists only in browsers');
  await importOptional('@tensorflow/tfjs-backend-webgl');
  return '@tensorflow/tfjs-backend-webgl';
}

async function loadWasm(importOptional: Importer): Promise<string> {
  await importOptional('@tensorflow/tfjs-backend-wasm');
  return '@tensorflow/tfjs-backend-wasm';
}

async function loadCpu(importOptional: Importer): Promise<string> {
  await importOptional('@tensorflow/tfjs-backend-cpu');
  return '@tensorflow/tfjs-backend-cpu (pure JavaScript: slow for training)';
}

/** The package that provides each backend, for the report when an app registered it itself. */
const BACKEND_PACKAGES: Record<BackendName, string> = {
  tensorflow: '@tensorflow/tfjs-node(-gpu)',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  webgl: '@tensorflow/tfjs-backend-webgl',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

const LOADERS: Record<BackendName, Loader> = {
  tensorflow: loadTensorflow,
  webgpu: loadWebgpu,
  webgl: loadWebgl,
  wasm: loadWasm,
  cpu: loadCpu,
};

function order(preference: BackendPreference): readonly BackendName[] {
  if (preference === 'auto') return AUTO_BACKEND_ORDER;
  const names = typeof preference === 'string' ? [preference] : preference;
  for (const name of names) {
    if (!(name in LOADERS)) {
      throw new BackendError(
        'BACKEND_UNKNOWN',
        `Unknown backend "${name}"; choose auto, ${AUTO_BACKEND_ORDER.join(', ')}.`,
      );
    }
  }
  return names;
}

/**
 * Loads and activates the first tfjs backend that works, in the order asked ('auto': tensorflow,
 * webgpu, webgl, wasm, cpu). Missing optional backends are skipped with the reason and the fix.
 * @returns the chosen backend and, for every one tried, whether it loaded and why
 * @throws BackendError listing every attempt when none loads
 */
export async function selectBackend(
  preference: BackendPreference = 'auto',
  options: SelectBackendOptions = {},
): Promise<BackendSelection> {
  const importOptional = options.importModule ?? importFromCore;
  const attempts: BackendAttempt[] = [];
  for (const name of order(preference)) {
    try {
      // An app (or a browser bundle) may have imported the backend itself already.
      const what =
        tf.findBackendFactory(name) === null
          ? await LOADERS[name](importOptional, preference === 'auto')
          : `${BACKEND_PACKAGES[name]} (registered by the app)`;
      if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') returned false`);
      await tf.ready();
      const kernelPacks = kernelPackStatuses(name);
      attempts.push({ name, ok: true, reason: what });
      return { name, attempts, kernelPacks };
    } catch (error) {
      attempts.push({ name, ok: false, reason: describeError(error) });
    }
  }
  throw new BackendError(
    'BACKEND_NONE',
    `No tfjs backend could be loaded:\n${formatBackendReport({ name: 'cpu', attempts, kernelPacks: [] })}\n` +
      'Install @tensorflow/tfjs-backend-wasm or @tensorflow/tfjs-backend-cpu.',
  );
}

/**
 * A human-readable report of a selection: one line per backend tried, then one indented line per
 * kernel pack of the chosen backend (✓ loaded, with what it is; ✗ not loaded, with why).
 */
export function formatBackendReport(selection: BackendSelection): string {
  const lines = selection.attempts.map((a) => `${a.ok ? '✓' : '✗'} ${a.name}: ${a.reason}`);
  for (const pack of selection.kernelPacks) {
    lines.push(`  ${pack.loaded ? '✓' : '✗'} kernel pack ${pack.name}: ${pack.detail}`);
  }
  return lines.join('\n');
}
