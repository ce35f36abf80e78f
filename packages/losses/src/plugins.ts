import type { Tensor2D } from '@tensorflow/tfjs-core';
import { definePlugin, z } from '@clapjs/core';
import { infoNCE, symmetricClapLoss } from './contrastive.js';
import { sigLipLoss } from './siglip.js';
import { VERSION } from './version.js';

const common = { version: VERSION, coreVersion: '^0.1.0', origin: '@clapjs/losses' } as const;

/** `symmetric-clap`: ½(CE_rows + CE_cols), the CLAP/CLIP loss. Config: none. */
export const symmetricClapPlugin = definePlugin({
  ...common,
  kind: 'loss',
  name: 'symmetric-clap',
  description: 'CLAP loss: mean of the text→audio and audio→text cross-entropies on the diagonal',
  configSchema: z.strictObject({}),
  create: (config) => ({
    name: config.name,
    getConfig: () => ({ name: config.name }),
    call: (logits: Tensor2D, audioToText?: Tensor2D) => symmetricClapLoss(logits, audioToText),
  }),
});

/** `infonce`: one-directional InfoNCE. Config: `direction` (default `'text-to-audio'`). */
export const infoNCEPlugin = definePlugin({
  ...common,
  kind: 'loss',
  name: 'infonce',
  description: 'One-directional InfoNCE (text-to-audio rows or audio-to-text columns)',
  configSchema: z.strictObject({
    direction: z.enum(['text-to-audio', 'audio-to-text']).default('text-to-audio'),
  }),
  create: (config) => ({
    name: config.name,
    getConfig: () => ({ name: config.name, direction: config.direction }),
    call: (logits: Tensor2D, audioToText?: Tensor2D) =>
      infoNCE(logits, config.direction, audioToText),
  }),
});

/** `siglip`: sigmoid loss with labels 2I − 1 (pair it with a similarity that has `bias: true`). */
export const sigLipPlugin = definePlugin({
  ...common,
  kind: 'loss',
  name: 'siglip',
  description: 'SigLIP: independent sigmoid per cell, labels 2I−1, summed and divided by N',
  configSchema: z.strictObject({}),
  create: (config) => ({
    name: config.name,
    getConfig: () => ({ name: config.name }),
    call: (logits: Tensor2D) => sigLipLoss(logits),
  }),
});

/** Every built-in loss plugin. */
export const lossPlugins = [symmetricClapPlugin, infoNCEPlugin, sigLipPlugin] as const;
