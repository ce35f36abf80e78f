import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importCheckpoint, laionClap, openCheckpoint } from '@clapjs/checkpoints';
import { create, register } from '@clapjs/core';
import { lossPlugins } from '@clapjs/losses';
import { fromTheirLayout, theirShape, type ClapModel } from '@clapjs/model';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from '../src/backend.js';
import { fixtureLogMel } from './clap-fixture-clips.js';
import { relativeError } from './helpers.js';

// packages/checkpoints/fixtures/clap/make-clap-fixtures.py: the tiny LAION-CLAP fixture (HTSAT
// 2-2-6-2 at width 4 + RoBERTa) and PyTorch's first training step on its three clips and
// captions: LAION's loss (both directions of logit_scale_a · T·Aᵀ), dropout 0, bn0 on batch
// statistics; the loss and the gradients of tensors along both towers and the heads, computed by
// PyTorch in float64 (its float32 step is itself 1.6e-4 away in bn0.weight's gradient).
const FIXTURES = fileURLToPath(
  new URL('../../../packages/checkpoints/fixtures/clap/', import.meta.url),
);
const reference = JSON.parse(readFileSync(join(FIXTURES, 'references.json'), 'utf8')) as {
  captions: string[];
  cropOffsetSeconds: number;
  fixtures: {
    'laion-tiny': { firstStep: { loss: number; gradients: Record<string, number[]> } };
  };
};
const SET = [
  'audio.sampleRate=8000',
  'audio.nFft=128',
  'audio.winLength=128',
  'audio.hopLength=80',
  'audio.nMels=16',
  'audio.fMax=4000',
  'audio.clipSeconds=2',
  'textEncoder.heads=2',
  'textEncoder.dropout=0',
  'audioEncoder.dropPath=0',
];

async function imported(): Promise<ClapModel> {
  const reader = await openCheckpoint(join(FIXTURES, 'laion-tiny.pt'));
  try {
    return (await importCheckpoint(reader, { from: 'laion', set: SET, tokenizer: FIXTURES })).model;
  } finally {
    await reader.close();
  }
}

/** The three clips as the reference fed them (repeat-pad, as is, cropped at the offset). */
const logMel = (model: ClapModel): Promise<tf.Tensor4D> =>
  fixtureLogMel(model, FIXTURES, reference.cropOffsetSeconds);

describe('fine-tuning an imported LAION-CLAP model (HTSAT + RoBERTa, wasm + kernel pack)', () => {
  beforeAll(async () => {
    await chooseBackend('wasm', () => {});
    for (const plugin of lossPlugins) register(plugin);
  });

  it('first step matches PyTorch: loss and gradients (last Swin stage included) within 1e-4', async () => {
    const model = await imported();
    const loss = create('loss', { name: 'symmetric-clap' }, {});
    const mel = await logMel(model);
    const trainable = model.variables().filter((v) => v.trainable);
    // As the trainer computes a step's gradients: model.forward in training mode, then the loss.
    const { value, grads } = tf.tidy(() =>
      tf.variableGrads(
        () =>
          loss.call(
            model.forward(mel, model.tokenize(reference.captions), { training: true }).logits,
          ),
        trainable.map((v) => v.variable),
      ),
    );
    const want = reference.fixtures['laion-tiny'].firstStep;
    expect(relativeError([value.dataSync()[0]!], [want.loss])).toBeLessThanOrEqual(1e-4);
    const byPath = new Map(trainable.map((v) => [v.path, v.variable]));
    let worst = 0;
    let compared = 0;
    for (const entry of laionClap.nameMap(model.config)) {
      const theirs = want.gradients[entry.theirs as string];
      if (theirs === undefined) continue;
      const variable = byPath.get(entry.ours)!;
      const expected = fromTheirLayout(
        Float32Array.from(theirs),
        theirShape(variable.shape, entry.layout),
        entry.layout,
        variable.shape,
      );
      const error = relativeError(
        Array.from(grads[variable.name]!.dataSync()),
        Array.from(expected.dataSync()),
      );
      expected.dispose();
      worst = Math.max(worst, error);
      compared += 1;
      expect(error, `${entry.ours} (${entry.theirs as string})`).toBeLessThanOrEqual(1e-4);
    }
    expect(compared).toBe(Object.keys(want.gradients).length);
    console.info(`LAION first step vs PyTorch: worst gradient ${worst.toExponential(2)}`);
    tf.dispose([value, mel, ...Object.values(grads)]);
    model.dispose();
  });

  it('trains with frozen encoders: loss falls, encoders unchanged, numTensors constant', async () => {
    const model = await imported();
    // Inference mode, so that bn0's running statistics stay put too (the default mode, `train`,
    // updates them as upstream does: fine-tune-partial.test.ts).
    model.freeze([
      { part: 'audioEncoder', mode: 'eval' },
      { part: 'textEncoder', mode: 'eval' },
    ]);
    const loss = create('loss', { name: 'symmetric-clap' }, {});
    const mel = await logMel(model);
    const tokens = model.tokenize(reference.captions);
    const frozenBefore = model
      .variables()
      .filter((v) => v.path.startsWith('audioEncoder/'))
      .map((v) => v.variable.dataSync().slice());
    const trainable = model
      .variables()
      .filter(
        (v) =>
          v.trainable && !v.path.startsWith('audioEncoder/') && !v.path.startsWith('textEncoder/'),
      )
      .map((v) => v.variable);
    const optimizer = tf.train.adam(0.01);
    const losses: number[] = [];
    let tensors = 0;
    for (let step = 0; step < 8; step++) {
      const cost = optimizer.minimize(
        () => loss.call(model.forward(mel, tokens, { training: true }).logits),
        true,
        trainable,
      )!;
      losses.push(cost.dataSync()[0]!);
      cost.dispose();
      model.afterUpdate();
      if (step === 1) tensors = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]!);
    model
      .variables()
      .filter((v) => v.path.startsWith('audioEncoder/'))
      .forEach((v, i) => expect(v.variable.dataSync()).toEqual(frozenBefore[i]));
    console.info(`LAION frozen-encoder losses: ${losses.map((l) => l.toFixed(4)).join(' ')}`);
    optimizer.dispose();
    tf.dispose([mel, tokens.ids, tokens.mask]);
    model.dispose();
  });
});
