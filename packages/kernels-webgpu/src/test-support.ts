// Test helpers (not exported by the package): WebGPU through Dawn on whatever Vulkan driver the
// machine has (SwiftShader from Debian's chromium-common on CPU-only machines), compared with the
// cpu backend.
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { selectBackend } from '@clapjs/core';
import { expectClose } from '@clapjs/config/expect-close';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

let ready: Promise<void> | undefined;

/**
 * Makes the webgpu backend available, or throws saying what is missing: these tests must run,
 * never skip (CI installs libvulkan1 and chromium-common through .ci/apt-packages).
 */
export function loadWebgpu(): Promise<void> {
  ready ??= (async () => {
    if (
      process.env.VK_ICD_FILENAMES === undefined &&
      process.env.VK_DRIVER_FILES === undefined &&
      existsSync(SWIFTSHADER)
    ) {
      process.env.VK_ICD_FILENAMES = SWIFTSHADER;
    }
    const dawn = await import('webgpu');
    Object.assign(globalThis, dawn.globals);
    const gpu = dawn.create([]);
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu },
      configurable: true,
      writable: true,
    });
    if ((await gpu.requestAdapter()) === null) {
      throw new Error(
        `No WebGPU adapter: install the Vulkan loader and SwiftShader (Debian: apt-get install libvulkan1 chromium-common; ${SWIFTSHADER}) or a GPU driver.`,
      );
    }
    await import('@tensorflow/tfjs-backend-webgpu');
  })();
  return ready;
}

export async function useBackend(name: 'cpu' | 'webgpu'): Promise<void> {
  if (name === 'webgpu') await loadWebgpu();
  await selectBackend(name);
}

export interface Input {
  shape: number[];
  values: Float32Array;
}
export interface Case {
  inputs: Record<string, Input>;
  attrs: Record<string, unknown>;
  label: string;
}

/** Runs one kernel on every case with the current backend; returns the outputs. */
export async function runCases(kernel: string, cases: Case[]): Promise<Float32Array[]> {
  const outputs: Float32Array[] = [];
  for (const c of cases) {
    const out = tf.tidy(() => {
      const inputs: Record<string, tf.Tensor> = {};
      for (const [name, i] of Object.entries(c.inputs)) inputs[name] = tf.tensor(i.values, i.shape);
      return tf.engine().runKernel<tf.Tensor>(kernel, inputs, c.attrs as tf.NamedAttrMap);
    });
    outputs.push(Float32Array.from(await out.data()));
    out.dispose();
  }
  return outputs;
}

// The kernel packs share one tolerance check: max |got − ref| ≤ 1e-4 · max |ref|.
export { expectClose };
