import * as tf from '@tensorflow/tfjs-core';
import { create, definePlugin, register, selectBackend, unregister, z } from '@clapjs/core';
import type { AudioEncoder } from '@clapjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClapModel, PartContractError } from './index.js';
import { CAPTIONS, tinyConfig } from './test-helpers.js';

/** An audio encoder plugin that wraps the real cnn-small and breaks it with `breakPart`. */
function brokenEncoder(name: string, breakPart: (real: AudioEncoder) => unknown) {
  return definePlugin({
    kind: 'audio-encoder',
    name,
    version: '1.2.3',
    coreVersion: '*',
    origin: 'acme-broken-encoders',
    configSchema: z.strictObject({}),
    create: (_config, context) =>
      breakPart(
        create('audio-encoder', { name: 'cnn-small', channels: [4, 8], outputDim: 16 }, context),
      ) as AudioEncoder,
  });
}

const BROKEN = [
  brokenEncoder('test-wrong-dim', (real) => ({
    ...real,
    outputDim: 17,
    variables: () => real.variables(),
    dispose: () => real.dispose(),
    getConfig: () => real.getConfig(),
    encode: (x: tf.Tensor4D, o: { training: boolean }) => real.encode(x, o),
  })),
  brokenEncoder('test-no-encode', (real) => ({
    outputDim: 16,
    variables: () => real.variables(),
    dispose: () => real.dispose(),
    getConfig: () => real.getConfig(),
  })),
  brokenEncoder('test-throws', (real) => ({
    outputDim: 16,
    variables: () => real.variables(),
    dispose: () => real.dispose(),
    getConfig: () => real.getConfig(),
    encode: () => {
      throw new TypeError("Cannot read properties of undefined (reading 'shape')");
    },
  })),
];

beforeAll(async () => {
  await selectBackend('cpu');
  for (const plugin of BROKEN) register(plugin);
});

afterAll(() => {
  for (const plugin of BROKEN) unregister('audio-encoder', plugin.name);
});

async function refusal(name: string): Promise<PartContractError> {
  const before = tf.memory().numTensors;
  const error = await ClapModel.create(
    { ...tinyConfig(), audioEncoder: { name } },
    { seed: 1, captions: CAPTIONS },
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PartContractError);
  // The parts built before the refusal are freed.
  expect(tf.memory().numTensors).toBe(before);
  return error as PartContractError;
}

describe('parts are checked once when a model is built', () => {
  it('refuses a probe output of the wrong shape, naming slot, plugin and package', async () => {
    const error = await refusal('test-wrong-dim');
    expect(error.code).toBe('PART_CONTRACT');
    expect(error.slot).toBe('audioEncoder');
    expect(error.message).toMatch(
      /^audioEncoder: audio-encoder "test-wrong-dim" from acme-broken-encoders@1\.2\.3 breaks the part contract: encode\(\) of a \[2, \d+, 32, 1\] batch gave shape \[2, 16\], expected \[2, 17\]/,
    );
  });

  it('refuses a part without its methods', async () => {
    expect((await refusal('test-no-encode')).message).toMatch(/it has no encode method/);
  });

  it('turns a raw TypeError from the part into the same typed error', async () => {
    expect((await refusal('test-throws')).message).toMatch(
      /"test-throws" from acme-broken-encoders@1\.2\.3 .*encode\(\) of a .* threw Cannot read properties/,
    );
  });

  it('probes in inference mode: BatchNorm statistics and seeded weights are unchanged', async () => {
    const model = await ClapModel.create(tinyConfig(), { seed: 4, captions: CAPTIONS });
    const stats = model.variables().filter((v) => !v.variable.trainable);
    expect(stats.length).toBeGreaterThan(0);
    for (const { path, variable } of stats) {
      const values = Array.from(await variable.data());
      // Moving means start at 0 and variances at 1; a training-mode probe would have moved them.
      const start = path.endsWith('running_var') ? 1 : 0;
      expect(values.every((v) => v === start)).toBe(true);
    }
    model.dispose();
  });
});
