import * as tf from '@tensorflow/tfjs-core';
import { definePlugin, list, selectBackend, unregister, z } from '@clapjs/core';
import type { Projection } from '@clapjs/core';
import '@clapjs/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertPluginContract, checkPluginContract, PluginContractError } from './index.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

/** Small configs for the built-ins whose defaults are large (the probe model is 0.5 s, 32 mels). */
const SMALL: Record<string, Record<string, unknown>> = {
  'audio-encoder/cnn-small': { channels: [4, 8], outputDim: 16 },
  'audio-encoder/cnn6': { width: 0.125 },
  'text-encoder/transformer': { layers: 1, width: 16, heads: 2 },
  'text-encoder/gpt2': { layers: 1, width: 16, heads: 2, ffn: 32 },
  'text-encoder/bag-of-embeddings': { width: 16 },
  'projection/linear': { dim: 8 },
  'projection/mlp': { dim: 8 },
  'projection/residual': { dim: 8 },
};
/** Built-ins too large for a unit test here; their own packages test them at full size. */
const LARGE = new Set([
  'audio-encoder/cnn10',
  'audio-encoder/cnn14',
  'audio-encoder/htsat',
  'text-encoder/roberta',
]);

describe('every built-in part plugin keeps the contract', () => {
  const kinds = ['audio-encoder', 'text-encoder', 'projection', 'similarity'] as const;
  const builtIns = kinds
    .flatMap((kind) => list(kind))
    .filter((p) => p.origin.startsWith('@clapjs/'));

  it('lists the built-ins', () => {
    expect(builtIns.length).toBeGreaterThan(6);
  });

  for (const plugin of builtIns) {
    const key = `${plugin.kind}/${plugin.name}`;
    it.skipIf(LARGE.has(key))(key, async () => {
      const config = SMALL[key];
      await assertPluginContract(plugin, config === undefined ? {} : { config });
    });
  }
});

describe('a plugin that breaks the contract', () => {
  // A projection with a weight the output never uses, that also leaks one tensor per call.
  const leaky = definePlugin({
    kind: 'projection',
    name: 'test-leaky',
    version: '1.0.0',
    coreVersion: '*',
    origin: 'acme-testkit-fixture',
    configSchema: z.strictObject({ dim: z.number().int().positive().default(8) }),
    create: (config, { inputDim }): Projection => {
      const kernel = tf.variable(tf.randomNormal([inputDim, config.dim], 0, 0.1, 'float32', 1));
      const unused = tf.variable(tf.zeros([config.dim]));
      return {
        name: 'test-leaky',
        outputDim: config.dim,
        getConfig: () => ({ ...config }),
        variables: () => [
          { path: 'kernel', variable: kernel, trainable: true, decay: true },
          { path: 'unused', variable: unused, trainable: true, decay: false },
        ],
        dispose: () => tf.dispose([kernel, unused]),
        call: (x) => {
          tf.keep(tf.zeros([1])); // the leak
          return tf.matMul(x, kernel);
        },
      };
    },
  });

  afterAll(() => {
    unregister('projection', 'test-leaky');
  });

  it('fails the gradient and leak checks, naming the dead weight', async () => {
    const checks = await checkPluginContract(leaky);
    const failed = Object.fromEntries(checks.filter((c) => !c.ok).map((c) => [c.name, c.detail]));
    expect(Object.keys(failed).sort()).toEqual(['gradients', 'no leaks']);
    expect(failed.gradients).toMatch(/audioProjection\/unused/);
    await expect(assertPluginContract(leaky)).rejects.toThrow(PluginContractError);
  });
});
