import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { decodeWav } from '@clapjs/audio';
import { useTestBackend } from '@clapjs/test-backends';
import { beforeAll, describe, expect, it } from 'vitest';
import fused from '../../fixtures/clap/references-fused.json' with { type: 'json' };
import { CLAP_FIXTURES, importFixture, relativeError } from './test-utils/clap-fixtures.js';

// fixtures/clap/make-clap-fused-fixture.py: laion/clap-htsat-fused's layout at a tiny size (HTSAT
// with mel_conv2d + the AFF block, RoBERTa, MLP projections), random weights, as a Hugging Face
// snapshot; the references feed the three clips through HF's "fusion" extractor with clapjs's
// default crops (the long clip is fused, the short and exact ones are not).
const FUSED = join(CLAP_FIXTURES, 'hf-fused');
const want = fused.fixtures['hf-fused'];

const readClip = async (name: string) =>
  decodeWav(new Uint8Array(await readFile(join(CLAP_FIXTURES, `clip-${name}.wav`)))).samples;

describe.each(['cpu', 'wasm+pack'] as const)('--from hf, a fused snapshot, on %s', (backend) => {
  beforeAll(async () => {
    await useTestBackend(backend);
  });

  it('imports as htsat with fusion and reproduces PyTorch from the raw clips (3.3 s fused, 0.7 s and 2 s not) within 1e-4', async () => {
    const { model, report } = await importFixture(FUSED, 'hf', { folder: true });
    let logMel: tf.Tensor4D | undefined;
    try {
      expect(model.config.audioEncoder).toMatchObject({ name: 'htsat', fusion: true });
      expect(model.config.audio).toMatchObject({ melScale: 'htk', norm: null, clipSeconds: 2 });
      expect(report.settings).toContainEqual({
        key: 'audioEncoder.fusion',
        value: true,
        from: 'checkpoint',
      });
      expect(report.unused.filter((u) => u.reason === 'not part of this model')).toEqual([]);
      const clips = await Promise.all(['short', 'exact', 'long'].map(readClip));
      logMel = model.logMelBatch(clips);
      expect(logMel.shape).toEqual([3, 201, 16, 4]);
      const before = tf.memory().numTensors;
      const audio = tf.tidy(() => model.encodeAudio(clips));
      const tokens = model.tokenize(fused.captions);
      const out = tf.tidy(() => {
        const text = model.encodeText(tokens);
        return {
          audioPooled: model.audioEncoder.encode(logMel!, { training: false }).dataSync().slice(),
          textEmbeddings: text.dataSync().slice(),
          logitsPerText: model.logits(text, audio, 'text-to-audio').dataSync().slice(),
          logitsPerAudio: tf
            .transpose(model.logits(text, audio, 'audio-to-text'))
            .dataSync()
            .slice(),
        };
      });
      expect(await tokens.ids.array()).toEqual(fused.tokenIds);
      const errors = {
        audioPooled: relativeError(out.audioPooled, want.audioPooled.flat()),
        audioEmbeddings: relativeError(await audio.data(), want.audioEmbeddings.flat()),
        textEmbeddings: relativeError(out.textEmbeddings, want.textEmbeddings.flat()),
        logitsPerText: relativeError(out.logitsPerText, want.logitsPerText.flat()),
        logitsPerAudio: relativeError(out.logitsPerAudio, want.logitsPerAudio.flat()),
      };
      console.info(`hf-fused on ${backend}: ${JSON.stringify(errors)}`);
      for (const [key, error] of Object.entries(errors))
        expect(error, key).toBeLessThanOrEqual(1e-4);
      tf.dispose([audio, tokens.ids, tokens.mask]);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      logMel?.dispose();
      model.dispose();
    }
  });
});
