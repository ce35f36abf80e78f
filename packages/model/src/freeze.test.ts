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

  it('runs a frozen encoder in inference mode with mode eval: BatchNorm statistics stay put', async () => {
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
    model.freeze([{ part: 'audioEncoder', mode: 'eval' }]);
    const frozen = snapshot(model, 'audioEncoder/');
    const [, gradients] = step();
    // …frozen, it does not, and the encoder's weights get no gradient.
    expect(snapshot(model, 'audioEncoder/')).toEqual(frozen);
    expect(gradients).toBe(model.variables().filter((v) => v.trainable).length);
  });

  it('by default runs a frozen encoder in the step’s mode (as upstream): BatchNorm statistics move, weights do not', async () => {
    model = await ClapModel.create(tinyConfig(), { captions: CAPTIONS });
    model.freeze(['audioEncoder']);
    const clips = makeClips(4);
    const weights = () =>
      model
        .variables()
        .filter((v) => v.path.startsWith('audioEncoder/') && !/moving|running/.test(v.path))
        .map((v) => Array.from(v.variable.dataSync()));
    const statistics = () =>
      model
        .variables()
        .filter((v) => v.path.startsWith('audioEncoder/') && /moving|running/.test(v.path))
        .map((v) => Array.from(v.variable.dataSync()));
    const [w, s] = [weights(), statistics()];
    expect(s.length).toBeGreaterThan(0);
    tf.tidy(() => {
      const out = model.forward(model.logMelBatch(clips), model.tokenize(CAPTIONS.slice(0, 4)), {
        training: true,
      });
      return out.logits;
    }).dispose();
    expect(weights()).toEqual(w);
    expect(statistics()).not.toEqual(s);
  });

  it('keeps the weights under an except prefix training (dots or slashes), the rest frozen', async () => {
    model = await ClapModel.create(tinyConfig(), { captions: CAPTIONS });
    const paths = model
      .variables()
      .filter((v) => v.path.startsWith('textEncoder/') && v.trainable)
      .map((v) => v.path.slice('textEncoder/'.length));
    const prefix = paths[paths.length - 1]!.split('/').slice(0, -1).join('.');
    model.freeze([{ part: 'textEncoder', except: [prefix] }]);
    const text = model.variables().filter((v) => v.path.startsWith('textEncoder/'));
    const training = text.filter((v) => v.trainable).map((v) => v.path);
    expect(training.length).toBeGreaterThan(0);
    expect(training.length).toBeLessThan(text.length);
    const slashed = `textEncoder/${prefix.replaceAll('.', '/')}`;
    expect(training.every((p) => p.startsWith(`${slashed}/`))).toBe(true);
    expect(model.frozen).toEqual(['textEncoder']);
  });

  it('refuses a name that is not a part, a part twice, and a prefix that matches nothing', async () => {
    model = await ClapModel.create(tinyConfig(), { captions: CAPTIONS });
    expect(() => model.freeze(['encoder' as never])).toThrow(ConfigError);
    expect(() => model.freeze(['encoder' as never])).toThrow(/audioEncoder, textEncoder/);
    expect(() => model.freeze(['textEncoder', { part: 'textEncoder' }])).toThrow(/twice/);
    const bad = () => model.freeze([{ part: 'audioEncoder', except: ['layers.9'] }]);
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(
      /^freeze audioEncoder except "layers\.9": no weight of audioEncoder has that prefix; its weights start with \S/,
    );
    // Nothing changed by a refused call.
    expect(model.frozen).toEqual([]);
  });
});
