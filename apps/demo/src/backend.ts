import * as tf from '@tensorflow/tfjs-core';
// Every backend is imported statically so that Vite bundles it; selectBackend then finds each one
// already registered and only has to pick (webgpu, then webgl, then wasm).
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import {
  formatBackendReport,
  selectBackend,
  type BackendName,
  type BackendSelection,
} from '@clapjs/core';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

/** The order the page tries when no backend is forced. */
export const BROWSER_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm'];
const KNOWN: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/**
 * The backends to try: `?backend=wasm` (or webgpu, webgl, cpu) forces one, anything else gives
 * the default order.
 */
export function backendPreference(search: string): readonly BackendName[] {
  const asked = new URLSearchParams(search).get('backend');
  return asked !== null && (KNOWN as readonly string[]).includes(asked)
    ? [asked as BackendName]
    : BROWSER_ORDER;
}

/** Points tfjs-backend-wasm at the .wasm files Vite copied into the build, then selects a backend. */
export async function startBackend(
  search: string,
): Promise<{ selection: BackendSelection; report: string }> {
  // The files are served by this app (no CDN): the page works offline.
  setWasmPaths({
    'tfjs-backend-wasm.wasm': new URL(wasmPlain, document.baseURI).href,
    'tfjs-backend-wasm-simd.wasm': new URL(wasmSimd, document.baseURI).href,
    'tfjs-backend-wasm-threaded-simd.wasm': new URL(wasmThreaded, document.baseURI).href,
  });
  const selection = await selectBackend(backendPreference(search));
  return { selection, report: formatBackendReport(selection) };
}

/** The active backend's name, as tfjs reports it. */
export function activeBackend(): string {
  return tf.getBackend();
}
