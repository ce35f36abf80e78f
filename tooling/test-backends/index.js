// The backends every model part's tests run on. 'wasm+pack' is the CPU training route (tfjs-wasm
// with @clapjs/kernels-wasm registered); 'wasm' stays plain tfjs-wasm, the inference route of the
// browser demo. The kernel registry is global, so switching from 'wasm+pack' back to 'wasm'
// restores the kernels the pack replaced (and removes those it added).
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { selectBackend } from '@clapjs/core';
import { registerWasmKernels, wasmKernelsRegistered, WASM_PACK_KERNELS } from '@clapjs/kernels-wasm';

/** The backends, in the order the tests run them. */
export const TEST_BACKENDS = /** @type {const} */ (['cpu', 'wasm', 'wasm+pack']);

/** @type {Map<string, import('@tensorflow/tfjs-core').KernelConfig | undefined> | undefined} */
let plainKernels;

/**
 * Activates a test backend.
 * @param {'cpu' | 'wasm' | 'wasm+pack'} name
 */
export async function useTestBackend(name) {
  if (name === 'wasm+pack') {
    await selectBackend('wasm');
    if (!wasmKernelsRegistered()) {
      plainKernels ??= new Map(WASM_PACK_KERNELS.map((k) => [k, getKernel(k, 'wasm')]));
      registerWasmKernels();
    }
    return;
  }
  await selectBackend(name);
  if (name === 'wasm' && wasmKernelsRegistered()) {
    if (plainKernels === undefined) {
      throw new Error("useTestBackend('wasm'): the wasm kernel pack was registered outside useTestBackend, so plain wasm cannot be restored");
    }
    for (const [kernel, config] of plainKernels) {
      unregisterKernel(kernel, 'wasm');
      if (config !== undefined) registerKernel(config);
    }
  }
}
