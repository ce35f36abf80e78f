import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '@clapjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClapModel } from './index.js';
import { CAPTIONS, makeClips, tinyConfig } from './test-helpers.js';

/**
 * A model imported from LAION-CLAP or Hugging Face keeps two logit scales: zero-shot
 * classification (audio → text) reads `logit_scale_a`; retrieval reads the scale of its direction.
 */
describe('ClapModel with a logit scale per direction', () => {
  let model: ClapModel;
  const clips = makeClips(3);
  const AUDIO_SCALE = 40;
  const TEXT_SCALE = 3;

  beforeAll(async () => {
    await selectBackend('cpu');
    model = await ClapModel.create(
      { ...tinyConfig(), similarity: { name: 'cosine', logitScales: 'per-direction' } },
      { seed: 1, captions: CAPTIONS },
    );
    const byPath = new Map(model.variables().map((v) => [v.path, v.variable]));
    byPath.get('similarity/logit_scale_a')!.assign(tf.scalar(Math.log(AUDIO_SCALE)));
    byPath.get('similarity/logit_scale_t')!.assign(tf.scalar(Math.log(TEXT_SCALE)));
  });
  afterAll(() => model.dispose());

  async function cosines(texts: string[], clip: Float32Array): Promise<number[]> {
    const t = model.encodeText(texts);
    const a = model.encodeAudio([clip]);
    const dots = tf.matMul(t, a, false, true);
    const values = Array.from(await dots.data());
    tf.dispose([t, a, dots]);
    return values;
  }

  it('zeroShotClassify is the softmax of logit_scale_a · cosine', async () => {
    const labels = ['dog', 'rain', 'piano'];
    const cos = await cosines(
      labels.map((l) => `This is a sound of ${l}.`),
      clips[0]!,
    );
    const exps = cos.map((c) => Math.exp(AUDIO_SCALE * c));
    const total = exps.reduce((s, v) => s + v, 0);
    const result = await model.zeroShotClassify(clips[0]!, labels);
    for (const [i, label] of labels.entries()) {
      const found = result.find((r) => r.label === label)!;
      expect(found.probability).toBeCloseTo(exps[i]! / total, 5);
    }
  });

  it('retrieve scores text → audio with logit_scale_t and audio → text with logit_scale_a', async () => {
    const before = tf.memory().numTensors;
    const textQuery = await model.retrieve(CAPTIONS[0]!, clips.slice(0, 1), 1);
    const [cosine] = await cosines([CAPTIONS[0]!], clips[0]!);
    expect(textQuery[0]!.score).toBeCloseTo(TEXT_SCALE * cosine!, 4);
    const audioQuery = await model.retrieve(clips[0]!, [CAPTIONS[0]!], 1);
    expect(audioQuery[0]!.score).toBeCloseTo(AUDIO_SCALE * cosine!, 4);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('forward gives the audio→text reading (logit_scale_a) beside the text→audio one for the loss', () => {
    const [logits, audioToText] = tf.tidy(() => {
      const out = model.forward(model.logMelBatch(clips), model.tokenize(CAPTIONS.slice(0, 3)), {
        training: false,
      });
      return [out.logits, out.audioToTextLogits!];
    });
    // Same cosines, scaled 40 instead of 3.
    const ratio = tf.tidy(() => tf.div(audioToText, logits));
    for (const r of ratio.dataSync()) expect(r).toBeCloseTo(AUDIO_SCALE / TEXT_SCALE, 3);
    tf.dispose([logits, audioToText, ratio]);
  });

  it.each(['one', 'audio'] as const)(
    'a %s-scale model’s forward gives one matrix: its loss stays the one-matrix loss bit for bit',
    async (logitScales) => {
      const single = await ClapModel.create(
        { ...tinyConfig(), similarity: { name: 'cosine', logitScales } },
        { seed: 1, captions: CAPTIONS },
      );
      const out = single.forward(single.logMelBatch(clips), single.tokenize(CAPTIONS.slice(0, 3)), {
        training: false,
      });
      expect(single.similarity.scalesPerDirection ?? false).toBe(false);
      expect(out.audioToTextLogits).toBeUndefined();
      tf.dispose([out.logits, out.audioEmbeddings, out.textEmbeddings]);
      single.dispose();
    },
  );

  it('saves and loads both scales', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clapjs-scales-'));
    try {
      await model.save(dir);
      const loaded = await ClapModel.load(dir);
      const scales = loaded
        .variables()
        .filter((v) => v.path.startsWith('similarity/'))
        .map((v) => [v.path, Math.exp(v.variable.dataSync()[0]!)]);
      expect(scales.map(([p]) => p)).toEqual([
        'similarity/logit_scale_a',
        'similarity/logit_scale_t',
      ]);
      expect(scales[0]![1]).toBeCloseTo(AUDIO_SCALE, 3);
      expect(scales[1]![1]).toBeCloseTo(TEXT_SCALE, 3);
      loaded.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
