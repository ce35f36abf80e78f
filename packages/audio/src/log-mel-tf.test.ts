import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LogMelExtractor } from './log-mel.js';
import { configOf, dbError, loadGolden } from './test-utils/golden.js';
import { TEST_BACKENDS, useTestBackend } from '@clapjs/test-backends';

const cases = loadGolden();
/**
 * This path computes in float32, like torchaudio's default. float32 resolves a spectrogram to
 * about 100 dB below its peak: torchaudio itself in float32 differs from its float64 output by up
 * to 0.08 dB in cells ~120 dB under a pure tone (fixtures' float32NoiseDb). So the golden
 * tolerance is checked within 100 dB of each clip's peak, and deeper cells (still above −80 dB)
 * must stay within 0.1 dB: no worse than torchaudio in float32.
 */
const FLOAT32_RANGE_DB = 100;

describe.each(TEST_BACKENDS)('LogMelExtractor.computeBatch on %s', (backend) => {
  it('agrees with the typed-array path within the golden tolerance, for every setting', async () => {
    await useTestBackend(backend);
    for (const name of new Set(cases.map((c) => c.setting.name))) {
      const group = cases.filter((c) => c.setting.name === name);
      const extractor = new LogMelExtractor(configOf(group[0]!));
      const batch = tf.tensor2d(group.map((c) => Array.from(c.samples)));
      const out = extractor.computeBatch(batch);
      const values = out.arraySync();
      expect(out.shape).toEqual([group.length, group[0]!.frames, group[0]!.melBins]);
      group.forEach((c, i) => {
        const tfOut = values[i]!.flat();
        for (const [label, reference] of [
          ['cpu path', extractor.compute(c.samples).data],
          ['torchaudio', c.logMel],
        ] as const) {
          const err = dbError(tfOut, reference, FLOAT32_RANGE_DB);
          expect(err.median, `${name}/${c.signal} vs ${label}: median`).toBeLessThanOrEqual(1e-3);
          expect(err.max, `${name}/${c.signal} vs ${label}: max`).toBeLessThanOrEqual(1e-2);
          expect(
            dbError(tfOut, reference).max,
            `${name}/${c.signal} vs ${label}: deep cells`,
          ).toBeLessThanOrEqual(0.1);
        }
      });
      tf.dispose([batch, out]);
      extractor.dispose();
    }
  });

  it('leaks no tensors across calls and rebuilds its matrices after dispose()', async () => {
    await useTestBackend(backend);
    const c = cases[0]!;
    const extractor = new LogMelExtractor(configOf(c));
    const input = tf.tensor2d([Array.from(c.samples)]);
    tf.dispose(extractor.computeBatch(input));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.dispose(extractor.computeBatch(input));
    expect(tf.memory().numTensors).toBe(before);
    extractor.dispose();
    tf.dispose(extractor.computeBatch(input));
    extractor.dispose();
    input.dispose();
  });
});
