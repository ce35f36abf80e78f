import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterEach, describe, expect, it } from 'vitest';
import {
  claimKernel,
  hasKernelCapability,
  kernelClaim,
  registeredKernelClaim,
} from './kernel-packs.js';
import { sharedState } from './shared-state.js';

const originals = new Map<string, tf.KernelConfig>();

/** Registers a pack-like wrapper over the cpu backend's own kernel `name`, claimed by `pack`. */
function wrap(name: string, pack: string, capabilities: Parameters<typeof claimKernel>[2]): void {
  const original = tf.getKernel(name, 'cpu');
  if (!originals.has(name)) originals.set(name, original);
  const config: tf.KernelConfig = { ...original };
  claimKernel(config, pack, capabilities);
  tf.unregisterKernel(name, 'cpu');
  tf.registerKernel(config);
}

afterEach(() => {
  for (const [name, config] of originals) {
    tf.unregisterKernel(name, 'cpu');
    tf.registerKernel(config);
  }
  originals.clear();
});

describe('kernel claims and capabilities', () => {
  it("tfjs's own kernels are unclaimed and promise nothing", () => {
    expect(registeredKernelClaim('BatchMatMul', 'cpu')).toBeUndefined();
    expect(kernelClaim(undefined)).toBeUndefined();
    expect(hasKernelCapability('transposed-matmul', 'cpu')).toBe(false);
  });

  it('a capability holds while every kernel it names is claimed with it, and not after', () => {
    wrap('BatchMatMul', '@test/pack', ['transposed-matmul']);
    expect(registeredKernelClaim('BatchMatMul', 'cpu')).toEqual({
      pack: '@test/pack',
      capabilities: ['transposed-matmul'],
    });
    expect(hasKernelCapability('transposed-matmul', 'cpu')).toBe(true);

    // Both convolution gradients must promise it: one is not enough.
    wrap('Conv2DBackpropFilter', '@test/pack', ['conv2d-gradient-kernels']);
    expect(hasKernelCapability('conv2d-gradient-kernels', 'cpu')).toBe(false);
    wrap('Conv2DBackpropInput', '@test/pack', []);
    expect(hasKernelCapability('conv2d-gradient-kernels', 'cpu')).toBe(false);
    wrap('Conv2DBackpropInput', '@test/pack', ['conv2d-gradient-kernels']);
    expect(hasKernelCapability('conv2d-gradient-kernels', 'cpu')).toBe(true);

    // Another registration replacing the claimed kernel takes the capability away.
    tf.unregisterKernel('BatchMatMul', 'cpu');
    tf.registerKernel(originals.get('BatchMatMul')!);
    expect(hasKernelCapability('transposed-matmul', 'cpu')).toBe(false);
  });

  it('asks the active backend by default', async () => {
    await tf.setBackend('cpu');
    wrap('BatchMatMul', '@test/pack', ['transposed-matmul']);
    expect(hasKernelCapability('transposed-matmul')).toBe(true);
  });
});

describe('sharedState', () => {
  it('creates a value once per key and returns the same object afterwards', () => {
    const a = sharedState('@test/state', () => ({ n: 1 }));
    const b = sharedState('@test/state', () => ({ n: 2 }));
    expect(b).toBe(a);
    expect(sharedState('@test/other', () => ({ n: 3 })).n).toBe(3);
  });
});
