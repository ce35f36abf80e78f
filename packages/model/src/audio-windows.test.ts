import * as tf from '@tensorflow/tfjs-core';
import {
  clipWindows,
  encodeWav,
  readAudioWindows,
  windowClip,
  type LogMelConfig,
} from '@clapjs/audio';
import { useTestBackend } from '@clapjs/test-backends';
import { describe, expect, it } from 'vitest';
import { projectClipWindows } from './audio-windows.js';
import { ClapModel } from './index.js';
import { CAPTIONS, makeClips, tinyConfig } from './test-helpers.js';

describe('long clips: the mean over windows that cover them', () => {
  it('encodeAudio averages the projected windows, deterministically, with flat memory', async () => {
    await useTestBackend('cpu');
    const model = await ClapModel.create(tinyConfig(), { seed: 5, captions: CAPTIONS }); // 0.5 s windows
    const config = model.frontEnd.config;
    const [long] = makeClips(1, 1.3); // three windows: 0–0.5 s, 0.4–0.9 s, 0.8–1.3 s
    const spans = clipWindows(long!.length, config.sampleRate, config);
    expect(spans.map((s) => s.start)).toEqual([0, 6400, 12800]);

    // The same maths through public parts: project each window, average, normalise.
    const expected = tf.tidy(() => {
      const windows = spans.map((s) => windowClip(long!, s, config.sampleRate, config));
      const { audioEmbeddings } = model.forward(model.logMelBatch(windows), model.tokenize(['x']), {
        training: false,
      });
      const mean = tf.mean(audioEmbeddings, 0, true);
      return tf.div(mean, tf.norm(mean, 'euclidean', 1, true));
    });
    const first = model.encodeAudio([long!]);
    expect(first.shape).toEqual([1, 8]);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(first, expected))).dataSync()[0]!);
    expect(diff).toBeLessThan(1e-6);

    // Not the centre crop the model used to take.
    const centre = model.encodeAudio([long!.subarray(4800, 12800)]);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(first, centre))).dataSync()[0]!)).toBeGreaterThan(
      1e-3,
    );

    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.dispose(model.encodeAudio([long!, makeClips(1, 0.3)[0]!]));
    expect(tf.memory().numTensors).toBe(before);
    const again = model.encodeAudio([long!]);
    expect(Array.from(again.dataSync())).toEqual(Array.from(first.dataSync()));
    tf.dispose([expected, first, centre, again]);
    model.dispose();
  });

  it('sums windows in batches: a clip of many windows equals the plain mean', () => {
    // A projection that is linear in the samples makes the expected mean easy to state.
    const config = { sampleRate: 10, clipSeconds: 1, padMode: 'tile-cut' } as LogMelConfig;
    const project = (windows: readonly Float32Array[]): tf.Tensor2D =>
      tf.tensor2d(windows.map((w) => [w[0]!, w.reduce((a, b) => a + b, 0)]));
    const clip = Float32Array.from({ length: 205 }, (_, i) => i); // 21 windows of 10
    const out = projectClipWindows([clip, Float32Array.of(1, 2, 3)], config, project);
    const spans = clipWindows(205, 10, config);
    expect(spans.length).toBe(21);
    const starts = spans.map((s) => s.start);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const expected = [
      [mean(starts), mean(starts.map((s) => 10 * s + 45))],
      [1, 1 + 2 + 3 + 1 + 2 + 3 + 1 + 2 + 3 + 1], // tile-cut to 10 samples
    ];
    const got = out.arraySync();
    for (let r = 0; r < 2; r++)
      for (let c = 0; c < 2; c++) expect(got[r]![c]).toBeCloseTo(expected[r]![c]!, 3);
    out.dispose();
  });

  it('a clip streamed window by window (readAudioWindows) embeds and classifies as the whole clip, with flat memory', async () => {
    await useTestBackend('cpu');
    const model = await ClapModel.create(tinyConfig(), { seed: 7, captions: CAPTIONS }); // 0.5 s windows
    const config = model.frontEnd.config;
    const [long] = makeClips(1, 4.3); // 9 windows: more than one batch of 8
    // A float WAV at the model's rate: the streamed samples are the clip's own.
    const file = encodeWav(long!, config.sampleRate, { format: 'float32' });
    const read = await readAudioWindows(file, config, { chunkBytes: 5000 });
    expect(read.spans.length).toBe(9);
    const stream = async function* () {
      for await (const w of read.windows()) yield w.samples;
    };
    const whole = model.encodeAudio([long!]);
    const streamed = await model.encodeAudioWindows(stream());
    expect(streamed.shape).toEqual([1, 8]);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(whole, streamed))).dataSync()[0]!);
    expect(diff).toBeLessThan(1e-6);

    const labels = ['rain', 'dog', 'piano'];
    const a = await model.zeroShotClassify(long!, labels);
    const b = await model.zeroShotClassify(stream(), labels);
    expect(b.map((r) => r.label)).toEqual(a.map((r) => r.label));
    b.forEach((r, i) => expect(r.probability).toBeCloseTo(a[i]!.probability, 6));

    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) tf.dispose(await model.encodeAudioWindows(stream()));
    await model.zeroShotClassify(stream(), labels);
    expect(tf.memory().numTensors).toBe(before);
    const none = async function* (): AsyncGenerator<Float32Array> {};
    await expect(model.encodeAudioWindows(none())).rejects.toMatchObject({ code: 'AUDIO_EMPTY' });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([whole, streamed]);
    model.dispose();
  });
});
