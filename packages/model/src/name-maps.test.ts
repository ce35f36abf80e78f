import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, selectBackend } from '@clapjs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bertTextEncoderNameMap,
  ClapModel,
  msclapNameMap,
  readSafetensors,
  type ClapModelConfigInput,
} from './index.js';
import { CAPTIONS, makeClips } from './test-helpers.js';

/** A tiny model in msclap's layout: CNN14, a post-LN (BERT-style) transformer, residual projections. */
const msclapLike: ClapModelConfigInput = {
  audioEncoder: { name: 'cnn14', width: 1 / 32 },
  textEncoder: {
    name: 'transformer',
    layers: 2,
    width: 16,
    heads: 2,
    norm: 'post',
    tokenTypes: 2,
    dropout: 0,
  },
  tokenizer: { name: 'word', maxLength: 8 },
  audioProjection: { name: 'residual', dim: 8 },
  textProjection: { name: 'residual', dim: 8 },
  audio: { preset: 'fast', clipSeconds: 1 },
};

describe('name maps', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('exports msclap names with PyTorch layouts and imports them back into another model', async () => {
    const a = await ClapModel.create(msclapLike, { seed: 1, captions: CAPTIONS });
    const b = await ClapModel.create(msclapLike, { seed: 2, captions: CAPTIONS });
    const map = msclapNameMap(a.config);
    expect(map.length).toBe(a.variables().length);
    const bytes = a.exportSafetensors(map, { format: 'pt' });
    const { tensors } = readSafetensors(bytes);
    expect(tensors.get('logit_scale')!.shape).toEqual([]);
    expect(tensors.get('audio_encoder.base.conv_block1.conv1.weight')!.shape).toEqual([2, 1, 3, 3]);
    expect(tensors.get('audio_encoder.projection.linear1.weight')!.shape).toEqual([8, 64]);
    expect(tensors.get('audio_encoder.projection.layer_norm.weight')!.shape).toEqual([8]);
    expect(tensors.get('caption_encoder.base.embeddings.word_embeddings.weight')!.shape).toEqual([
      a.tokenizer.vocabSize,
      16,
    ]);
    expect(
      tensors.get('caption_encoder.base.encoder.layer.1.intermediate.dense.weight')!.shape,
    ).toEqual([64, 16]);
    expect(tensors.get('caption_encoder.projection.linear2.weight')!.shape).toEqual([8, 8]);

    const report = b.importSafetensors(bytes, map);
    expect(report.unused).toEqual([]);
    const clips = makeClips(2, 1);
    const outputs = (m: ClapModel) =>
      tf.tidy(() => [
        Array.from(m.encodeAudio(clips).dataSync()),
        Array.from(m.encodeText(['a dog barks', '']).dataSync()),
      ]);
    expect(outputs(b)).toEqual(outputs(a));
    a.dispose();
    b.dispose();
  });

  it('refuses BERT names for a pre-LN transformer or another encoder', async () => {
    const preLn = await ClapModel.create(
      { ...msclapLike, textEncoder: { name: 'transformer', layers: 1, width: 16, heads: 2 } },
      { captions: CAPTIONS },
    );
    expect(() => bertTextEncoderNameMap(preLn.config)).toThrow(ConfigError);
    expect(() => msclapNameMap({ ...preLn.config, audioEncoder: { name: 'cnn-small' } })).toThrow(
      /cnn14/,
    );
    preLn.dispose();
  });
});
