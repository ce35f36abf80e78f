// The backends and CPU routes clapjs's tests run on. 'wasm' is plain tfjs-wasm (the browser
// demo's inference route); 'wasm+pack' is the CPU training route (tfjs-wasm with
// @clapjs/kernels-wasm); 'wasm+native' adds @clapjs/kernels-native's oneDNN kernels on top (the
// fastest CPU route where the addon is built). tfjs's kernel registry is global, so switching
// between them puts back the exact kernels each route had.
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { selectBackend } from '@clapjs/core';
import {
  registerWasmKernels,
  wasmKernelsRegistered,
  WASM_PACK_KERNELS,
} from '@clapjs/kernels-wasm';
import {
  NATIVE_FUSED_KERNELS,
  NATIVE_KERNELS,
  registerNativeKernels,
} from '@clapjs/kernels-native';

/** The backends every model part's tests run on, in order. */
export const TEST_BACKENDS = /** @type {const} */ (['cpu', 'wasm', 'wasm+pack']);

/** The CPU training routes (trainer-level tests run on each). */
export const CPU_ROUTES = /** @type {const} */ (['cpu', 'wasm+pack', 'wasm+native']);

// The fused kernels (Adam, GELU, BatchNorm) too: registered on 'wasm+native' only.
const NAMES = [...new Set([...WASM_PACK_KERNELS, ...NATIVE_KERNELS, ...NATIVE_FUSED_KERNELS])];

/** @typedef {Map<string, import('@tensorflow/tfjs-core').KernelConfig | undefined>} Snapshot */
/** @type {Snapshot | undefined} */ let plain;
/** @type {Snapshot | undefined} */ let pack;

/** @returns {Snapshot} */
function snapshot() {
  return new Map(NAMES.map((k) => [k, getKernel(k, 'wasm')]));
}

/** @param {Snapshot} s */
function restore(s) {
  for (const [kernel, config] of s) {
    if (getKernel(kernel, 'wasm') === config) continue;
    if (getKernel(kernel, 'wasm') !== undefined) unregisterKernel(kernel, 'wasm');
    if (config !== undefined) registerKernel(config);
  }
}

function usePack() {
  if (pack === undefined) {
    restore(/** @type {Snapshot} */ (plain));
    registerWasmKernels();
    pack = snapshot();
  } else {
    restore(pack);
  }
}

/**
 * Activates a test backend or CPU route. 'wasm+native' throws when the oneDNN addon does not
 * load (the tests that ask for it exist to check that route; CI builds it: .ci/apt-packages).
 * @param {'cpu' | 'wasm' | 'wasm+pack' | 'wasm+native'} name
 */
export async function useTestBackend(name) {
  await selectBackend(name === 'cpu' ? 'cpu' : 'wasm');
  if (name === 'cpu') return;
  if (plain === undefined) {
    if (wasmKernelsRegistered()) {
      throw new Error(
        'useTestBackend: a wasm kernel pack was registered outside useTestBackend, so plain wasm cannot be restored',
      );
    }
    plain = snapshot();
  }
  if (name === 'wasm') return restore(plain);
  usePack();
  if (name === 'wasm+native') {
    const status = registerNativeKernels();
    if (!status.loaded) throw new Error(`useTestBackend('wasm+native'): ${status.detail}`);
  }
}
