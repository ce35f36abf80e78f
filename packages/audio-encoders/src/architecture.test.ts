import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, Rng, selectBackend } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { architecture, countParameters, parameterShapes } from './architecture.js';
import { CnnAudioEncoder } from './cnn-encoder.js';
import { pannsNameMap } from './name-map.js';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Trainable parameters per PANNs layer, worked out by hand from PANNs' models.py (64 mel bins). */
function pannsCounts(
  channels: number[],
  convs: 1 | 2,
  k: number,
  classes?: number,
): Record<string, number> {
  const counts: Record<string, number> = { 'bn0.weight': 64, 'bn0.bias': 64 };
  let cin = 1;
  channels.forEach((c, i) => {
    for (let j = 1; j <= convs; j++) {
      counts[`conv_block${i + 1}.conv${j}.weight`] = c * cin * k * k;
      counts[`conv_block${i + 1}.bn${j}.weight`] = c;
      counts[`conv_block${i + 1}.bn${j}.bias`] = c;
      cin = c;
    }
  });
  counts['fc1.weight'] = cin * cin;
  counts['fc1.bias'] = cin;
  if (classes !== undefined) {
    counts['fc_audioset.weight'] = cin * classes;
    counts['fc_audioset.bias'] = classes;
  }
  return counts;
}

function ourCounts(config: Parameters<typeof pannsNameMap>[0]): Record<string, number> {
  return Object.fromEntries(
    pannsNameMap(config)
      .filter((e) => e.trainable)
      .map((e) => [e.pannsName, size(e.shape)]),
  );
}

describe('layer shapes at width 1 equal PANNs’', () => {
  it('CNN14: every layer, and 80.8 M parameters with the 527-class head', () => {
    expect(ourCounts({ name: 'cnn14', classes: 527 })).toEqual(
      pannsCounts([64, 128, 256, 512, 1024, 2048], 2, 3, 527),
    );
    expect(countParameters(architecture({ name: 'cnn14', classes: 527 }, 64))).toBe(80_753_615);
    expect(countParameters(architecture({ name: 'cnn14' }, 64))).toBe(79_673_792);
    expect(architecture({ name: 'cnn14' }, 64).fc1).toBe(2048);
  });

  it('CNN10: every layer, 5.2 M with the head', () => {
    expect(ourCounts({ name: 'cnn10', classes: 527 })).toEqual(
      pannsCounts([64, 128, 256, 512], 2, 3, 527),
    );
    expect(countParameters(architecture({ name: 'cnn10', classes: 527 }, 64))).toBe(5_219_279);
  });

  it('CNN6: every layer, 4.8 M with the head', () => {
    expect(ourCounts({ name: 'cnn6', classes: 527 })).toEqual(
      pannsCounts([64, 128, 256, 512], 1, 5, 527),
    );
    expect(countParameters(architecture({ name: 'cnn6', classes: 527 }, 64))).toBe(4_837_455);
  });

  it('CNN6 built for real has exactly the planned weights (4,567,104 trainable)', async () => {
    await selectBackend('cpu');
    const encoder = new CnnAudioEncoder({ name: 'cnn6' }, { melBins: 64, rng: new Rng(0) });
    const planned = parameterShapes(encoder.spec);
    expect(encoder.variables().map((v) => [v.path, v.variable.shape, v.trainable])).toEqual(
      planned.map((p) => [p.path, p.shape, p.trainable]),
    );
    const trainable = encoder
      .variables()
      .filter((v) => v.trainable)
      .reduce((n, v) => n + v.variable.size, 0);
    expect(trainable).toBe(4_567_104);
    expect(encoder.outputDim).toBe(512);
    encoder.dispose();
    expect(tf.memory().numTensors).toBeGreaterThanOrEqual(0);
  });
});

describe('pannsNameMap', () => {
  it('names each weight as in the PANNs state_dict, with the layout change to apply', () => {
    const map = pannsNameMap({ name: 'cnn14', classes: 527 });
    const byName = Object.fromEntries(map.map((e) => [e.pannsName, e]));
    expect(byName['conv_block1.conv1.weight']).toMatchObject({
      path: 'conv_block1/conv1/weight',
      transform: 'oihw-to-hwio',
      shape: [3, 3, 1, 64],
      pannsShape: [64, 1, 3, 3],
    });
    expect(byName['conv_block6.bn2.running_var']).toMatchObject({
      path: 'conv_block6/bn2/running_var',
      transform: 'none',
      shape: [2048],
      trainable: false,
    });
    expect(byName['bn0.running_mean']).toMatchObject({ shape: [64], trainable: false });
    expect(byName['fc1.weight']).toMatchObject({ transform: 'transpose', shape: [2048, 2048] });
    expect(byName['fc_audioset.weight']).toMatchObject({
      transform: 'transpose',
      shape: [2048, 527],
      pannsShape: [527, 2048],
    });
    // 6 blocks × (2 convs + 2 BatchNorms × 4) + bn0 × 4 + fc1 × 2 + head × 2
    expect(map).toHaveLength(6 * 10 + 4 + 2 + 2);
  });
});

describe('width multiplier', () => {
  it('scales every channel count and fc1', () => {
    const spec = architecture({ name: 'cnn14', width: 0.125 }, 64);
    expect(spec.blocks.map((b) => b.channels)).toEqual([8, 16, 32, 64, 128, 256]);
    expect(spec.fc1).toBe(256);
    expect(spec.blocks.map((b) => b.pool)).toEqual([
      [2, 2],
      [2, 2],
      [2, 2],
      [2, 2],
      [2, 2],
      [1, 1],
    ]);
  });
});

describe('bad configs', () => {
  it.each([
    [{ name: 'cnn14', width: -1 }, 'audioEncoder.width'],
    [{ name: 'cnn14', width: 0 }, 'audioEncoder.width'],
    [{ name: 'cnn10', dropout: 1 }, 'audioEncoder.dropout'],
    [{ name: 'cnn6', classes: 2.5 }, 'audioEncoder.classes'],
    [{ name: 'cnn6', bnMomentum: 0 }, 'audioEncoder.bnMomentum'],
    [{ name: 'cnn-small', channels: [] }, 'audioEncoder.channels'],
    [{ name: 'cnn-small', channels: [8, -3] }, 'audioEncoder.channels.1'],
    [{ name: 'cnn-small', outputDim: 0 }, 'audioEncoder.outputDim'],
    [{ name: 'cnn-small', widht: 2 }, 'audioEncoder'],
  ])('%j → ConfigError at %s', (config, key) => {
    try {
      architecture(config as Parameters<typeof architecture>[0], 64);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).path).toBe(key);
      expect((error as ConfigError).message).toContain(key);
      if ('widht' in config) expect((error as ConfigError).message).toContain('widht');
    }
  });

  it('refuses too few mel bins for the pooling stack', async () => {
    await selectBackend('cpu');
    expect(
      () => new CnnAudioEncoder({ name: 'cnn14', width: 0.125 }, { melBins: 16, rng: new Rng(0) }),
    ).toThrow(/at least 32 mel bins/);
  });
});
