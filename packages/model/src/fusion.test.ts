import * as tf from '@tensorflow/tfjs-core';
import { fusionLogMel } from '@clapjs/audio';
import { Rng, selectBackend } from '@clapjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClapModel } from './index.js';
import type { ClapModelConfigInput } from './config.js';

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
});
