import * as tf from '@tensorflow/tfjs-core';
import { ClapError, selectBackend } from '@clapjs/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ClapModel } from './index.js';
import { CAPTIONS, makeClips, tinyConfig, train } from './test-helpers.js';

describe('ClapModel', () => {
  let model: ClapModel;
  const clips = makeClips(4);

  beforeAll(async () => {
    await selectBackend('cpu');
    model = await ClapModel.create(tinyConfig(), { seed: 1, captions: CAPTIONS });
  });
  afterAll(() => model.dispose());

  it('lists every weight under its slot prefix', () => {
    const paths = model.variables().map((v) => v.path);
    for (const slot of [
      'audioEncoder/',
      'textEncoder/',
      'audioProjection/',
      'textProjection/',
      'similarity/',
    ]) {
      expect(
        paths.some((p) => p.startsWith(slot)),
        slot,
      ).toBe(true);
    }
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('gives the same weights for the same seed and different ones for another', async () => {
    const again = await ClapModel.create(tinyConfig(), { seed: 1, captions: CAPTIONS });
    const other = await ClapModel.create(tinyConfig(), { seed: 2, captions: CAPTIONS });
    const first = (m: ClapModel) => m.variables().flatMap((v) => Array.from(v.variable.dataSync()));
    expect(first(again)).toStrictEqual(first(model));
    expect(first(other)).not.toEqual(first(model));
    again.dispose();
    other.dispose();
  });

  it('encodes audio and text to L2-normalised embeddings of the joint size', () => {
    const before = tf.memory().numTensors;
    const audio = model.encodeAudio(clips);
    const text = model.encodeText(['a dog barks', 'rain']);
    expect(audio.shape).toEqual([4, 8]);
    expect(text.shape).toEqual([2, 8]);
    for (const norm of tf.norm(audio, 2, 1).dataSync()) expect(norm).toBeCloseTo(1, 5);
    for (const norm of tf.norm(text, 2, 1).dataSync()) expect(norm).toBeCloseTo(1, 5);
    const logits = model.logits(text, audio);
    expect(logits.shape).toEqual([2, 4]);
    tf.dispose([audio, text, logits]);
    expect(tf.memory().numTensors).toBe(before + 2); // the two norms above
  });

  it('forward gives logits with texts as rows', () => {
    const logMel = model.logMelBatch(clips.slice(0, 3));
    expect([logMel.shape[0], logMel.shape[2], logMel.shape[3]]).toEqual([3, 32, 1]);
    const tokens = model.tokenize(['one', 'two']);
    const out = model.forward(logMel, tokens, { training: false });
    expect(out.logits.shape).toEqual([2, 3]);
    expect(out.audioEmbeddings.shape).toEqual([3, 8]);
    expect(out.textEmbeddings.shape).toEqual([2, 8]);
    tf.dispose([
      logMel,
      tokens.ids,
      tokens.mask,
      out.logits,
      out.audioEmbeddings,
      out.textEmbeddings,
    ]);
  });

  it('classifies zero-shot: probabilities sum to one, most probable first', async () => {
    const before = tf.memory().numTensors;
    const result = await model.zeroShotClassify(clips[0]!, ['dog', 'rain', 'piano']);
    expect(result.map((r) => r.label).sort()).toEqual(['dog', 'piano', 'rain']);
    expect(result.reduce((s, r) => s + r.probability, 0)).toBeCloseTo(1, 5);
    for (let i = 1; i < result.length; i++)
      expect(result[i - 1]!.probability).toBeGreaterThanOrEqual(result[i]!.probability);
    expect(await model.zeroShotClassify(clips[0]!, ['only'])).toEqual([
      { label: 'only', probability: 1 },
    ]);
    await expect(model.zeroShotClassify(clips[0]!, [])).rejects.toThrow(ClapError);
    await expect(model.zeroShotClassify(clips[0]!, ['x'], 'no placeholder')).rejects.toThrow(
      /\{label\}/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('retrieves the top k in both directions, best first', async () => {
    const before = tf.memory().numTensors;
    const hits = await model.retrieve('a dog barks', clips, 2);
    expect(hits).toHaveLength(2);
    expect(hits[0]!.score).toBeGreaterThanOrEqual(hits[1]!.score);
    const all = await model.retrieve(clips[1]!, CAPTIONS, 99);
    expect(all.map((h) => h.index).sort()).toEqual([0, 1, 2, 3, 4]);
    // Embeddings give the same ranking as raw inputs for the cosine similarity.
    const audio = model.encodeAudio(clips);
    const query = model.encodeText(['a dog barks']);
    expect((await model.retrieve(query, audio, 2)).map((h) => h.index)).toEqual(
      hits.map((h) => h.index),
    );
    tf.dispose([audio, query]);
    await expect(model.retrieve('x', [], 1)).rejects.toThrow(/non-empty/);
    await expect(model.retrieve('x', CAPTIONS, 0)).rejects.toThrow(/positive/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('embeds audio and text as unit-length rows, matching encodeAudio/encodeText', async () => {
    const before = tf.memory().numTensors;
    const rows = await model.embedAudio(clips.slice(0, 2));
    const tensor = model.encodeAudio(clips.slice(0, 2));
    expect(rows).toEqual(await tensor.array());
    tensor.dispose();
    const texts = await model.embedText(['a dog barks', 'rain']);
    expect(texts).toHaveLength(2);
    for (const row of [...rows, ...texts]) expect(Math.hypot(...row)).toBeCloseTo(1, 5);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('never reads results synchronously (a backend where dataSync fails, like WebGPU in Node)', async () => {
    const sync = vi.spyOn(tf.Tensor.prototype, 'dataSync').mockImplementation(() => {
      throw new Error('synchronous read');
    });
    const arraySync = vi.spyOn(tf.Tensor.prototype, 'arraySync').mockImplementation(() => {
      throw new Error('synchronous read');
    });
    try {
      expect(await model.zeroShotClassify(clips[0]!, ['dog', 'rain'])).toHaveLength(2);
      expect(await model.retrieve('a dog barks', clips, 2)).toHaveLength(2);
      expect(await model.embedText(['rain'])).toHaveLength(1);
    } finally {
      sync.mockRestore();
      arraySync.mockRestore();
    }
  });

  it('truncates texts longer than the context, and embeds empty strings', () => {
    const long = Array.from({ length: 200 }, () => 'dog').join(' ');
    const tokens = model.tokenize([long, '', 'a dog']);
    expect(tokens.ids.shape).toEqual([3, 8]);
    const mask = tokens.mask.arraySync();
    expect(mask[0]).toEqual(new Array(8).fill(1));
    expect(mask[1]!.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    tf.dispose([tokens.ids, tokens.mask]);
    const text = model.encodeText([long, '', '   ']);
    expect(Array.from(text.dataSync()).every(Number.isFinite)).toBe(true);
    text.dispose();
  });

  it('handles a batch of one, and refuses empty batches and empty clips', async () => {
    const logits = tf.tidy(
      () =>
        model.forward(model.logMelBatch([clips[0]!]), model.tokenize(['a dog']), { training: true })
          .logits,
    );
    expect(logits.shape).toEqual([1, 1]);
    expect(Number.isFinite(logits.dataSync()[0])).toBe(true);
    logits.dispose();
    // A batch of one trains: its contrastive loss is log 1 = 0, not NaN.
    const other = await ClapModel.create(tinyConfig(), { seed: 9, captions: CAPTIONS });
    for (const loss of train(other, [clips[0]!], ['a dog'], 2)) expect(Math.abs(loss)).toBe(0);
    other.dispose();
    expect(() => model.tokenize([])).toThrow(ClapError);
    expect(() => model.logMelBatch([])).toThrow(ClapError);
    expect(() => model.logMelBatch([new Float32Array(0)])).toThrow(/non-empty/);
  });

  it('crops long clips and pads short ones to clipSeconds', () => {
    const [long] = makeClips(1, 3);
    const [short] = makeClips(1, 0.1);
    const logMel = model.logMelBatch([long!, short!, clips[0]!]);
    expect(logMel.shape[0]).toBe(3);
    logMel.dispose();
  });

  it('cannot be used after dispose', async () => {
    const temp = await ClapModel.create(tinyConfig(), { captions: CAPTIONS });
    temp.dispose();
    expect(() => temp.encodeText(['a'])).toThrow(/disposed/);
  });
});
