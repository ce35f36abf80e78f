import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { selectBackend } from './index.js';

// SwiftShader (Debian chromium-common) is a Vulkan driver that runs on the CPU: Dawn reports it as
// a fallback adapter. Set before Dawn starts (this file runs in its own process).
process.env.VK_ICD_FILENAMES = '/usr/lib/chromium/vk_swiftshader_icd.json';

describe('selectBackend with only a software GPU', () => {
  it("'auto' skips a software WebGPU adapter, saying why, and trains on wasm instead", async () => {
    const selection = await selectBackend('auto');
    const webgpu = selection.attempts.find((a) => a.name === 'webgpu');
    expect(webgpu?.ok).toBe(false);
    expect(webgpu?.reason).toMatch(
      /only a software adapter \(SwiftShader.*\).*ask for the webgpu backend explicitly/,
    );
    expect(selection.name).toBe('wasm');
  });

  it('an explicit webgpu request uses it and says it runs on the CPU', async () => {
    const selection = await selectBackend('webgpu');
    expect(selection.name).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(selection.attempts[0]?.reason).toMatch(
      /tfjs-backend-webgpu via .* on SwiftShader.*software adapter/,
    );
    const sum = tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4]));
    expect(Array.from(await sum.data())).toEqual([4, 6]);
    sum.dispose();
  });
});
