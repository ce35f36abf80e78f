import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BackendError } from './errors.js';
import {
  formatBackendReport,
  kernelPackStatuses,
  reportKernelPack,
  selectBackend,
} from './index.js';

describe('selectBackend', () => {
  it('falls back from tfjs-node-gpu without its binding and says why and how to fix it', async () => {
    // @tensorflow/tfjs-node-gpu is a devDependency installed with its build script blocked:
    // exactly the state of a machine without CUDA or internet.
    const selection = await selectBackend('auto');
    const tensorflow = selection.attempts.find((a) => a.name === 'tensorflow');
    expect(tensorflow?.ok).toBe(false);
    expect(tensorflow?.reason).toContain('tfjs_binding.node');
    expect(tensorflow?.reason).toContain('CUDA 11.2 + cuDNN 8.1');
    expect(tensorflow?.reason).toContain('rebuild @tensorflow/tfjs-node-gpu');
    expect(selection.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(formatBackendReport(selection)).toMatch(/✗ tensorflow: .*\n.*\n.*\n✓ wasm/);
  });

  it.runIf(
    process.platform === 'linux' &&
      !existsSync('/dev/nvidia0') &&
      !existsSync('/dev/dri') &&
      !existsSync('/dev/dxg'),
  )("'auto' does not start Dawn on a Linux machine without a GPU device, and says so", async () => {
    const selection = await selectBackend('auto');
    expect(selection.attempts.find((a) => a.name === 'webgpu')?.reason).toBe(
      'not tried: no GPU device on this machine (/dev/nvidia0, /dev/dri/renderD*, /dev/dxg); ask for the webgpu backend explicitly to try anyway',
    );
    expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeUndefined();
  });

  it('loads exactly the backend asked for', async () => {
    const selection = await selectBackend('cpu');
    expect(selection.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('tries a list in order and reports each skipped one', async () => {
    const selection = await selectBackend(['webgl', 'cpu']);
    expect(selection.attempts.map((a) => [a.name, a.ok])).toEqual([
      ['webgl', false],
      ['cpu', true],
    ]);
  });

  it('refuses an unknown backend name, listing the known ones', async () => {
    await expect(selectBackend('cuda' as 'cpu')).rejects.toThrowError(BackendError);
    await expect(selectBackend('cuda' as 'cpu')).rejects.toThrowError(
      /choose auto, tensorflow, webgpu/,
    );
  });

  it('fails with every reason when nothing loads', async () => {
    await expect(selectBackend(['webgl'])).rejects.toThrowError(
      /No tfjs backend could be loaded:\n✗ webgl/,
    );
  });
});

describe('kernel pack reports', () => {
  it('lists the packs of the chosen backend in the selection and its report, with why one did not load', async () => {
    reportKernelPack({
      name: 'test-pack-loaded',
      backend: 'cpu',
      loaded: true,
      detail: 'two kernels',
    });
    reportKernelPack({
      name: 'test-pack-missing',
      backend: 'cpu',
      loaded: false,
      detail: 'not built: run the build',
    });
    reportKernelPack({
      name: 'test-pack-other',
      backend: 'webgl',
      loaded: true,
      detail: 'elsewhere',
    });
    const selection = await selectBackend('cpu');
    expect(selection.kernelPacks.map((p) => p.name)).toEqual([
      'test-pack-loaded',
      'test-pack-missing',
    ]);
    const report = formatBackendReport(selection);
    expect(report).toContain('✓ kernel pack test-pack-loaded: two kernels');
    expect(report).toContain('✗ kernel pack test-pack-missing: not built: run the build');
    expect(report).not.toContain('test-pack-other');
    // A later report of the same pack replaces the earlier one.
    reportKernelPack({
      name: 'test-pack-missing',
      backend: 'cpu',
      loaded: true,
      detail: 'built now',
    });
    expect(kernelPackStatuses('cpu').find((p) => p.name === 'test-pack-missing')?.loaded).toBe(
      true,
    );
  });

  it('resolves optional backends through the importer the app gives', async () => {
    const asked: string[] = [];
    const selection = await selectBackend(['tensorflow', 'cpu'], {
      importModule: (specifier) => {
        asked.push(specifier);
        return Promise.reject(
          Object.assign(new Error(`Cannot find package '${specifier}'`), {
            code: 'ERR_MODULE_NOT_FOUND',
          }),
        );
      },
    });
    // The real @tensorflow/tfjs-node-gpu (a devDependency of core) was not used: the app's importer was.
    expect(asked).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
    expect(selection.attempts[0]?.reason).toBe(
      '@tensorflow/tfjs-node-gpu is not installed; @tensorflow/tfjs-node is not installed',
    );
    expect(selection.name).toBe('cpu');
  });
});

describe('gradient registration', () => {
  it('computes gradients on wasm and cpu after importing core', async () => {
    for (const backend of ['cpu', 'wasm'] as const) {
      await selectBackend(backend);
      const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.div(tf.square(x), 2)));
      const g = grad(tf.tensor1d([1, -2, 3]));
      expect(Array.from(await g.data())).toEqual([1, -2, 3]);
    }
  });
});
