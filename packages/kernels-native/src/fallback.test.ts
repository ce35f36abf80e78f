import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import {
  hasKernelCapability,
  kernelPackStatuses,
  registeredKernelClaim,
  Rng,
  selectBackend,
} from '@clapjs/core';
import { registerWasmKernels } from '@clapjs/kernels-wasm';
import { describe, expect, it } from 'vitest';
import { addonPath } from './addon.js';
import {
  KernelPackError,
  NATIVE_KERNELS,
  nativeKernelsStatus,
  nativeThreads,
  registerNativeKernels,
  setNativeThreads,
} from './index.js';
import { expectClose, NATIVE_EXPECTED } from './test-support.js';

const POLICY = process.env.OMP_WAIT_POLICY;
/** The pack that registered the wasm kernel `name` now (core's kernel claims). */
const packOf = (name: string): string | undefined => registeredKernelClaim(name, 'wasm')?.pack;

/** Conv2D filter gradient of a small conv net, on the current backend. */
function filterGradient(): Float32Array {
  const rng = new Rng(51);
  return tf.tidy(() => {
    const x = tf.tensor4d(rng.normalArray(2 * 9 * 7 * 3), [2, 9, 7, 3]);
    const w = tf.variable(tf.tensor4d(rng.normalArray(3 * 3 * 3 * 4), [3, 3, 3, 4]));
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.square(tf.conv2d(x, w, 2, 'same'))) as tf.Scalar,
      [w],
    );
    const g = Float32Array.from(grads[w.name]!.dataSync());
    w.dispose();
    return g;
  });
}

// Runs first in this file (a fresh process): nothing has loaded the addon yet.
describe('when the addon cannot load', () => {
  it('reports why and the fix, registers the wasm pack only, and training still works', async () => {
    await selectBackend('cpu');
    const ref = filterGradient();
    process.env.CLAPJS_NATIVE_ADDON = '/nonexistent/kernels_native.node';
    try {
      await selectBackend('wasm');
      const status = registerNativeKernels();
      expect(status.loaded).toBe(false);
      expect(status.detail).toContain('/nonexistent/kernels_native.node does not exist');
      expect(status.detail).toContain(
        'apt-get install libdnnl-dev && pnpm --filter @clapjs/kernels-native build',
      );
      expect(nativeKernelsStatus().loaded).toBe(false);
      expect(nativeThreads()).toBeUndefined();
      expect(() => setNativeThreads(1)).toThrow(/not loaded/);
      expect(kernelPackStatuses('wasm')).toContainEqual({
        name: '@clapjs/kernels-native',
        backend: 'wasm',
        loaded: false,
        detail: status.detail,
      });
      for (const name of NATIVE_KERNELS)
        expect(packOf(name), name).not.toBe('@clapjs/kernels-native');
      expect(packOf('Conv2DBackpropFilter')).toBe('@clapjs/kernels-wasm');
      expect(hasKernelCapability('transposed-matmul', 'wasm')).toBe(true);
      expect(hasKernelCapability('conv2d-gradient-kernels', 'wasm')).toBe(false);
      expectClose(filterGradient(), ref, 'filter gradient with the wasm pack');
    } finally {
      delete process.env.CLAPJS_NATIVE_ADDON;
    }
  });

  it('names a file that is not a loadable addon and says to rebuild', async () => {
    await selectBackend('wasm');
    const status = registerNativeKernels({
      addonPath: new URL('../package.json', import.meta.url).pathname,
    });
    expect(status.loaded).toBe(false);
    expect(status.detail).toMatch(
      /cannot load .*package\.json: .*Fix: rebuild it for this machine/,
    );
  });
});

describe.skipIf(!NATIVE_EXPECTED)('when the addon loads', () => {
  it("registers once, shows up in selectBackend's report, and a later failed load restores the wasm pack", async () => {
    await selectBackend('wasm');
    const status = registerNativeKernels();
    expect(status.loaded, status.detail).toBe(true);
    expect(status.detail).toMatch(/^oneDNN 2\.\d+\.\d+ \(.+, OpenMP\), \d+ threads?: Conv2D/);
    // The OpenMP wait policy is set only around loading the addon: the environment is unchanged.
    expect(process.env.OMP_WAIT_POLICY).toBe(POLICY);
    const configs = NATIVE_KERNELS.map((name) => tf.getKernel(name, 'wasm'));
    expect(registerNativeKernels().loaded).toBe(true);
    NATIVE_KERNELS.forEach((name, i) => expect(tf.getKernel(name, 'wasm'), name).toBe(configs[i]));
    // The wasm pack registered again later (e.g. by an app) leaves the native kernels in place.
    registerWasmKernels();
    NATIVE_KERNELS.forEach((name, i) => expect(tf.getKernel(name, 'wasm'), name).toBe(configs[i]));
    const selection = await selectBackend('wasm');
    expect(selection.kernelPacks).toContainEqual({
      name: '@clapjs/kernels-native',
      backend: 'wasm',
      loaded: true,
      detail: status.detail,
    });

    expect(registerNativeKernels({ addonPath: '/nonexistent/x.node' }).loaded).toBe(false);
    for (const name of NATIVE_KERNELS)
      expect(packOf(name), name).not.toBe('@clapjs/kernels-native');
    expect(packOf('BatchMatMul')).toBe('@clapjs/kernels-wasm');
    expect(hasKernelCapability('conv2d-gradient-kernels', 'wasm')).toBe(false);
    expect(registerNativeKernels().loaded).toBe(true);
    expect(packOf('Conv2D')).toBe('@clapjs/kernels-native');
    expect(hasKernelCapability('conv2d-gradient-kernels', 'wasm')).toBe(true);
    expect(hasKernelCapability('transposed-matmul', 'wasm')).toBe(true);
  });

  it('turns inputs that contradict the attributes into a typed error, leaking nothing', async () => {
    await selectBackend('wasm');
    registerNativeKernels();
    const before = tf.memory().numTensors;
    const dy = tf.zeros([1, 5, 5, 4]);
    const filter = tf.zeros([3, 3, 3, 4]);
    const attrs = {
      strides: 1,
      pad: 'same',
      dataFormat: 'NHWC',
      dimRoundingMode: undefined,
      inputShape: [1, 8, 8, 3],
    };
    let error: unknown;
    try {
      tf.engine().runKernel(
        'Conv2DBackpropInput',
        { dy, filter },
        attrs as unknown as tf.NamedAttrMap,
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KernelPackError);
    expect((error as KernelPackError).code).toBe('KERNELS_NATIVE_FAILED');
    expect((error as Error).message).toMatch(
      /^Conv2DBackpropInput \(native\): dy has 100 elements, expected 256/,
    );
    tf.dispose([dy, filter]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("sets oneDNN threads per calling thread: a worker_thread's setting leaves the main thread's alone", async () => {
    await selectBackend('wasm');
    registerNativeKernels();
    const before = nativeThreads()!;
    expect(setNativeThreads(1)).toBe(1);
    expect(nativeKernelsStatus().detail).toContain(', 1 thread:');
    setNativeThreads(before);
    process.env.CLAPJS_NATIVE_THREADS = '1';
    try {
      expect(registerNativeKernels().threads).toBe(1);
      process.env.CLAPJS_NATIVE_THREADS = 'two';
      expect(() => registerNativeKernels()).toThrow(
        /CLAPJS_NATIVE_THREADS=two: expected an integer/,
      );
    } finally {
      delete process.env.CLAPJS_NATIVE_THREADS;
    }
    setNativeThreads(before);
    const script = `
      const { parentPort, workerData } = require('node:worker_threads');
      const m = { exports: {} };
      process.dlopen(m, workerData);
      parentPort.postMessage([m.exports.setThreads(1), m.exports.threads()]);`;
    const fromWorker = await new Promise<number[]>((resolve, reject) => {
      const worker = new Worker(script, { eval: true, workerData: addonPath() });
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    expect(fromWorker).toEqual([1, 1]);
    expect(nativeThreads()).toBe(before);
  });
});
