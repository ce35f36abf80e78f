import * as tf from '@tensorflow/tfjs-core';
import { fusionLogMel } from '@clapjs/audio';
import { Rng, selectBackend } from '@clapjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClapModel } from './index.js';
import type { ClapModelConfigInput } from './config.js';
import { tinyConfig } from './test-helpers.js';

// A model whose audio encoder takes LAION-CLAP's fusion input (htsat with fusion: true, a tiny
// size): raw clips of any length become one 4-channel input each, never windows.
const config: ClapModelConfigInput = {
  audio: { preset: 'laion-fused', clipSeconds: 1, nMels: 32 },
  audioEncoder: {
    name: 'htsat',
    specSize: 128,
    embedDim: 8,
    depths: [2, 2],
    heads: [1, 2],
    fusion: true,
  },
  textEncoder: { name: 'transformer', layers: 1, width: 16, heads: 2, dropout: 0 },
  tokenizer: { name: 'word', maxLength: 8 },
  audioProjection: { name: 'mlp', dim: 8 },
  textProjection: { name: 'mlp', dim: 8 },
  similarity: { name: 'cosine' },
  loss: { name: 'symmetric-clap' },
};

const noise = (seconds: number, seed: number) =>
  Float32Array.from(new Rng(seed).normalArray(Math.round(seconds * 48_000), 0, 0.1));

describe('ClapModel with a fusion audio encoder', () => {
  let model: ClapModel;
  beforeAll(async () => {
    await selectBackend('wasm');
    model = await ClapModel.create(config, { seed: 3, captions: ['a dog barks'] });
  });
  afterAll(() => model.dispose());

  it('builds (the part check probes 4 channels) and embeds whole clips through fusionLogMel, a long clip fused', async () => {
    expect(model.audioEncoder.input).toBe('fusion');
    const long = noise(2.5, 1); // longer than the 1 s window: shrunk + 3 crops
    const short = noise(0.4, 2); // four copies of its padded log-mel
    const inputs = [long, short].map((clip) => fusionLogMel(clip, model.frontEnd));
    expect(inputs.map((i) => i.longer)).toEqual([true, false]);
    const x = tf.tensor4d(Float32Array.from([...inputs[0]!.data, ...inputs[1]!.data]), [
      2,
      inputs[0]!.frames,
      inputs[0]!.melBins,
      4,
    ]);
    const byHand = await model.embedAudio(x);
    const before = tf.memory().numTensors;
    const embedded = await model.embedAudio([long, short]);
    expect(tf.memory().numTensors).toBe(before);
    expect(embedded).toEqual(byHand);
    // Not the mean over 1 s windows: the whole 2.5 s clip went in once, the crops fused.
    const firstSecond = await model.embedAudio([long.slice(0, 48_000)]);
    expect(embedded[0]).not.toEqual(firstSecond[0]);
    x.dispose();
  });

  it('logMelBatch gives the fusion input, so a training forward pass takes raw clips too', () => {
    const batch = model.logMelBatch([noise(1.5, 4), noise(0.5, 5)]);
    expect(batch.shape).toEqual([2, 101, 32, 4]);
    const tokens = model.tokenize(['a', 'b']);
    const out = model.forward(batch, tokens, { training: true });
    expect(out.audioEmbeddings.shape).toEqual([2, 8]);
    tf.dispose([
      batch,
      tokens.ids,
      tokens.mask,
      out.logits,
      out.audioEmbeddings,
      out.textEmbeddings,
    ]);
  });

  it('takes given crops and longer flags per clip (what the originals draw at random), as the tensor route with them', async () => {
    const long = noise(2.5, 6);
    const short = noise(0.4, 7);
    // 2.5 s at hop 480 is 251 frames, the window 101: crops from 0 to 150.
    const crops = [7, 66, 140];
    const input = fusionLogMel(long, model.frontEnd, { crops });
    const shortInput = fusionLogMel(short, model.frontEnd);
    const x = tf.tensor4d(Float32Array.from([...input.data, ...shortInput.data]), [2, 101, 32, 4]);
    const byHand = await model.embedAudio(x, { longer: [true, true] });
    const before = tf.memory().numTensors;
    const given = await model.embedAudio([long, short], {
      crops: [crops, undefined],
      longer: [undefined, true],
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(given).toEqual(byHand);
    const defaults = await model.embedAudio([long, short]);
    // Other crops, and a short clip fused with its own copies: both change the embedding.
    expect(given[0]).not.toEqual(defaults[0]);
    expect(given[1]).not.toEqual(defaults[1]);
    // zeroShotClassify takes them too: the flag changes the scores.
    const labels = ['a dog barks', 'a dog'];
    const fused = await model.zeroShotClassify(short, labels, '{label}', { longer: [true] });
    const plain = await model.zeroShotClassify(short, labels, '{label}');
    const dog = (r: { label: string; probability: number }[]) =>
      r.find((x) => x.label === 'a dog barks')!.probability;
    expect(Math.abs(dog(fused) - dog(plain))).toBeGreaterThan(1e-6);
    x.dispose();
  });

  it('refuses crops for a clip no longer than the window, lists of the wrong length and bad flags, with a typed error', () => {
    const short = noise(0.4, 8);
    const before = tf.memory().numTensors;
    const codeOf = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return (error as { code?: string }).code;
      }
      return 'no error';
    };
    expect(codeOf(() => model.encodeAudio([short], { crops: [[0, 0, 0]] }))).toBe(
      'FUSION_CROPS_NOT_LONGER',
    );
    expect(codeOf(() => model.encodeAudio([short], { longer: [true, false] }))).toBe(
      'FUSION_OPTIONS_COUNT',
    );
    expect(codeOf(() => model.encodeAudio([noise(2.5, 9)], { crops: [[0, 0, 151]] }))).toBe(
      'AUDIO_ARGUMENT',
    );
    expect(
      codeOf(() => model.encodeAudio([short], { longer: ['yes' as unknown as boolean] })),
    ).toBe('FUSION_LONGER');
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('a model without fusion input', () => {
  it('refuses fusion crops and flags (FUSION_OPTIONS_UNFUSED) rather than ignoring them', async () => {
    await selectBackend('wasm');
    const plain = await ClapModel.create(tinyConfig(), { seed: 1, captions: ['a dog barks'] });
    try {
      const clip = noise(0.5, 10).subarray(0, 8000);
      expect(() => plain.encodeAudio([clip], { longer: [true] })).toThrow(
        expect.objectContaining({ code: 'FUSION_OPTIONS_UNFUSED' }),
      );
      await expect(
        plain.zeroShotClassify(clip, ['a'], '{label}', { crops: [[0, 1, 2]] }),
      ).rejects.toMatchObject({ code: 'FUSION_OPTIONS_UNFUSED' });
    } finally {
      plain.dispose();
    }
  });
});
