import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@clapjs/core';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClapModel, pannsAudioEncoderNameMap, readSafetensors, WeightsError } from './index.js';
import { CAPTIONS } from './test-helpers.js';

// Made by scripts/make_cnn14_fixture.py: a random PyTorch CNN14 (PANNs) at width 1/32, eval mode.
const FIXTURE = new URL('../fixtures/cnn14-tiny.safetensors', import.meta.url);

describe('PANNs CNN14 safetensors import', () => {
  let model: ClapModel;
  let bytes: Uint8Array;

  beforeAll(async () => {
    await selectBackend('cpu');
    bytes = new Uint8Array(await readFile(FIXTURE));
    model = await ClapModel.create(
      {
        audioEncoder: { name: 'cnn14', width: 1 / 32 },
        textEncoder: { name: 'bag-of-embeddings', width: 8 },
        tokenizer: { name: 'word', maxLength: 8 },
      },
      { captions: CAPTIONS },
    );
  });
  afterAll(() => model.dispose());

  it('gives PyTorch’s embedding (fc1 + ReLU) to 1e-4 for the same log-mel', () => {
    const report = model.importSafetensors(
      bytes,
      pannsAudioEncoderNameMap(model.config),
      'cnn14-tiny.safetensors',
    );
    expect(report.loaded.length).toBe(2 + 6 * 2 + 6 * 2 * 4 + 4);
    expect(report.unused.sort()).toEqual([
      'fc_audioset.bias',
      'fc_audioset.weight',
      'input.logmel',
      'output.embedding',
    ]);
    const { tensors } = readSafetensors(bytes);
    const input = tensors.get('input.logmel')!;
    const expected = tensors.get('output.embedding')!;
    const ours = tf.tidy(() => {
      // PANNs feeds [batch, 1, frames, mels]; clapjs [batch, frames, mels, 1].
      const logMel = tf.transpose(
        tf.tensor4d(input.data, input.shape as [number, number, number, number]),
        [0, 2, 3, 1],
      ) as tf.Tensor4D;
      return model.audioEncoder.encode(logMel, { training: false });
    });
    expect(ours.shape).toEqual(expected.shape);
    const got = ours.dataSync();
    ours.dispose();
    let maxDiff = 0;
    for (let i = 0; i < got.length; i++)
      maxDiff = Math.max(maxDiff, Math.abs(got[i]! - expected.data[i]!));
    expect(maxDiff).toBeLessThanOrEqual(1e-4);
    console.info(`CNN14 parity: max |clapjs − PyTorch| = ${maxDiff.toExponential(2)}`);
    expect(expected.data.some((v) => v > 0.01)).toBe(true);
  });

  it('exports the same tensors back under PANNs names and layouts', () => {
    const map = pannsAudioEncoderNameMap(model.config);
    model.importSafetensors(bytes, map);
    const exported = readSafetensors(model.exportSafetensors(map)).tensors;
    const original = readSafetensors(bytes).tensors;
    for (const name of [
      'conv_block3.conv2.weight',
      'fc1.weight',
      'bn0.running_var',
      'conv_block6.bn1.bias',
    ]) {
      expect(exported.get(name)!.shape, name).toEqual(original.get(name)!.shape);
      expect(Array.from(exported.get(name)!.data), name).toEqual(
        Array.from(original.get(name)!.data),
      );
    }
  });

  it('refuses a checkpoint of another width, naming the weight, and changes nothing', async () => {
    const wider = await ClapModel.create(
      {
        audioEncoder: { name: 'cnn14', width: 1 / 16 },
        textEncoder: { name: 'bag-of-embeddings', width: 8 },
        tokenizer: { name: 'word', maxLength: 8 },
      },
      { captions: CAPTIONS },
    );
    const before = wider.variables().map((v) => Array.from(v.variable.dataSync()));
    const error = (() => {
      try {
        wider.importSafetensors(bytes, pannsAudioEncoderNameMap(wider.config));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(WeightsError);
    expect((error as WeightsError).variable).toMatch(/^audioEncoder\//);
    expect((error as Error).message).toMatch(/shape/);
    expect(wider.variables().map((v) => Array.from(v.variable.dataSync()))).toEqual(before);
    wider.dispose();
  });
});
