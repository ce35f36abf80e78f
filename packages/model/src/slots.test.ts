// For each slot, two configs that differ only in that plugin name
// each train 5 steps, save, reload and give the same outputs; config.json names the plugin.
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClapModel, type ClapModelConfigInput } from './index.js';
import { CAPTIONS, makeClips, tinyConfig, train } from './test-helpers.js';
import { TEST_BACKENDS, useTestBackend } from '@clapjs/test-backends';

type Variant = { label: string; config: ClapModelConfigInput; names: Record<string, string> };

function pair(
  slots: string[],
  a: Record<string, unknown>,
  b: Record<string, unknown>,
): [Variant, Variant] {
  return [a, b].map((part) => {
    const config: Record<string, unknown> = { ...tinyConfig() };
    for (const slot of slots) config[slot] = part;
    return {
      label: `${slots.join('+')}=${String(part.name)}`,
      config,
      names: Object.fromEntries(slots.map((s) => [s, String(part.name)])),
    };
  }) as [Variant, Variant];
}

const PAIRS: [string, [Variant, Variant]][] = [
  [
    'audio encoder',
    pair(
      ['audioEncoder'],
      { name: 'cnn-small', channels: [4, 8], outputDim: 16 },
      { name: 'cnn6', width: 1 / 16 },
    ),
  ],
  [
    'text encoder',
    pair(
      ['textEncoder'],
      { name: 'transformer', layers: 1, width: 16, heads: 2 },
      { name: 'bag-of-embeddings', width: 16 },
    ),
  ],
  [
    'projection',
    pair(
      ['audioProjection', 'textProjection'],
      { name: 'mlp', dim: 8 },
      { name: 'residual', dim: 8 },
    ),
  ],
  ['similarity', pair(['similarity'], { name: 'cosine' }, { name: 'dot' })],
  ['loss', pair(['loss'], { name: 'symmetric-clap' }, { name: 'infonce' })],
];

describe.each(TEST_BACKENDS)('each slot swaps by name on %s', (backend) => {
  let root: string;
  const clips = makeClips(4);
  const captions = CAPTIONS.slice(0, 4);

  beforeAll(async () => {
    await useTestBackend(backend);
    root = await mkdtemp(join(tmpdir(), `clapjs-slots-${backend}-`));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const outputs = (m: ClapModel) =>
    tf.tidy(() => {
      const audio = m.encodeAudio(clips);
      const text = m.encodeText(captions);
      return [audio, text, m.logits(text, audio)].map((t) => Array.from(t.dataSync()));
    });

  it.each(PAIRS)('%s', async (_slot, variants) => {
    const results: number[][][] = [];
    for (const variant of variants) {
      const model = await ClapModel.create(variant.config, { seed: 11, captions: CAPTIONS });
      const losses = train(model, clips, captions, 5);
      expect(losses.every(Number.isFinite), `${variant.label} losses ${losses.join(', ')}`).toBe(
        true,
      );
      const dir = join(root, variant.label);
      await model.save(dir);
      const saved = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
      for (const [slot, name] of Object.entries(variant.names)) expect(saved[slot].name).toBe(name);
      const reloaded = await ClapModel.load(dir);
      const before = outputs(model);
      expect(outputs(reloaded), variant.label).toEqual(before);
      results.push(before);
      model.dispose();
      reloaded.dispose();
    }
    // The two plugins really compute different things.
    expect(results[0]).not.toEqual(results[1]);
  });
});
