import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@clapjs/core';
import { useTestBackend } from '@clapjs/test-backends';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClapModel } from './index.js';
import { CAPTIONS, inlineLoss, makeClips, tinyConfig } from './test-helpers.js';

const snapshot = (model: ClapModel, prefix: string) =>
  model
    .variables()
    .filter((v) => v.path.startsWith(prefix))
    .map((v) => [v.path, Array.from(v.variable.dataSync())] as const);

describe('ClapModel.freeze', () => {
  let model: ClapModel;
  beforeAll(() => useTestBackend('cpu'));
  afterEach(() => model.dispose());

  it('lists a frozen part’s weights as not trainable and requests no gradient for them', async () => {
    model = await ClapModel.create(tinyConfig(), { captions: CAPTIONS });
    model.freeze(['audioEncoder', 'textEncoder']);
    expect(model.frozen).toEqual(['audioEncoder', 'textEncoder']);
    const trainable = model.variables().filter((v) => v.trainable);
    expect(
      trainable.every((v) => /^(audioProjection|textProjection|similarity)\//.test(v.path)),
    ).toBe(true);
    expect(trainable.length).toBeGreaterThan(0);
    model.freeze([]);
    expect(model.variables().some((v) => v.path.startsWith('audioEncoder/') && v.trainable)).toBe(
      true,
    );
  });

  it('runs a frozen encoder in inference mode while training: BatchNorm statistics stay put', async () => {
    model = await ClapModel.create(tinyConfig(), { captions: CAPTIONS });
    const clips = makeClips(4);
    const step = () =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(
          () =>
            inlineLoss(
              'symmetric-clap',
              model.forward(model.logMelBatch(clips), model.tokenize(CAPTIONS.slice(0, 4)), {
                training: true,
              }).logits,
            ),
          model
            .variables()
            .filter((v) => v.trainable)
            .map((v) => v.variable),
        );
        return [value.dataSync()[0]!, Object.keys(grads).length] as const;
      });
    const before = snapshot(model, 'audioEncoder/');
    step();
    // Unfrozen, training mode moves BatchNorm's running statistics…
    expect(snapshot(model, 'audioEncoder/')).not.toEqual(before);
    model.freeze(['audioEncoder']);
    const frozen = snapshot(model, 'audioEncoder/');
    const [, gradients] = step();
    // …frozen, it does not, and the encoder's weights get no gradient.
    expect(snapshot(model, 'audioEncoder/')).toEqual(frozen);
    expect(gradients).toBe(model.variables().filter((v) => v.trainable).length);
  });

  it('refuses a name that is not a part', async () => {
    model = await ClapModel.create(tinyConfig(), { captions: CAPTIONS });
    expect(() => model.freeze(['encoder'])).toThrow(ConfigError);
    expect(() => model.freeze(['encoder'])).toThrow(/audioEncoder, textEncoder/);
  });
});
