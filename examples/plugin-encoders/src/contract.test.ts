import { selectBackend } from '@clapjs/core';
import '@clapjs/model'; // the built-in parts of the probe model
import { assertPluginContract } from '@clapjs/plugin-testkit';
import { beforeAll, describe, it } from 'vitest';
import { frameAttention, positionMax } from './index.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

// What a plugin author runs: the clapjs contract tests (shapes, variables, seeded weights,
// save/load, gradients, no leaks) on each of the package's plugins.
describe('the example plugins keep the clapjs part contract', () => {
  it('frame-attention', async () => {
    await assertPluginContract(frameAttention, { config: { hidden: 16, outputDim: 16 } });
  });

  it('position-max', async () => {
    await assertPluginContract(positionMax, { config: { width: 16, outputDim: 16 } });
  });
});
