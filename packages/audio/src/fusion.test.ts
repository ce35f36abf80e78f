import { readFileSync } from 'node:fs';
import { ClapError } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { cropOrPad } from './crop.js';
import {
  defaultFusionCrops,
  fusionCropRanges,
  fusionInput,
  fusionLogMel,
  shrinkFrames,
  type FusionLogMel,
} from './fusion.js';
import { LogMelExtractor } from './log-mel.js';
import { getPreset } from './presets.js';
import { fixturePath, float32 } from './test-utils/golden.js';

// Written by audio-encoders/scripts/make-htsat-fusion-fixture.py: two random log-mels (one longer
// than the 100-frame window, one exactly a window), the crops, and the 4-channel inputs PyTorch
// built from them as laion_clap's get_audio_features / Hugging Face's _random_mel_fusion do.
const fixture = JSON.parse(readFileSync(fixturePath('fusion-front-end.json'), 'utf8')) as {
  frames: number;
  crops: number[];
  longMel: { shape: [number, number]; data: string };
  shortMel: { shape: [number, number]; data: string };
  input: { shape: [number, number, number, number]; data: string };
};
const mel = (m: { shape: [number, number]; data: string }) => ({
  data: float32(m.data),
  frames: m.shape[0],
  melBins: m.shape[1],
});

/** The largest |ours − reference| relative to max |reference|. */
function relativeError(ours: ArrayLike<number>, reference: ArrayLike<number>): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < reference.length; i++) {
    worst = Math.max(worst, Math.abs((ours[i] as number) - (reference[i] as number)));
    scale = Math.max(scale, Math.abs(reference[i] as number));
  }
  return worst / scale;
}

/** One channel of a fusion input, as frames × melBins. */
const channel = (f: FusionLogMel, c: number) =>
  Float32Array.from({ length: f.frames * f.melBins }, (_, i) => f.data[i * 4 + c] as number);

describe('fusion front end (LAION-CLAP / Hugging Face truncation "fusion")', () => {
  it('builds PyTorch’s 4-channel input: the whole log-mel shrunk (bilinear) + the given crops; four copies for a one-window log-mel', () => {
    const reference = float32(fixture.input.data);
    const perClip = reference.length / 2;
    const long = fusionInput(mel(fixture.longMel), fixture.frames, { crops: fixture.crops });
    expect(long.longer).toBe(true);
    expect(long.crops).toEqual(fixture.crops);
    expect(relativeError(long.data, reference.subarray(0, perClip))).toBeLessThanOrEqual(3e-7);
    const short = fusionInput(mel(fixture.shortMel), fixture.frames, { crops: fixture.crops });
    expect(short).toMatchObject({ longer: false, crops: null, frames: fixture.frames });
    expect(short.data).toEqual(reference.subarray(perClip));
  });

  it('draws from upstream’s thirds (np.array_split) and defaults to the first, middle and last offsets', () => {
    expect(fusionCropRanges(160, 100)).toEqual([
      [0, 20],
      [21, 40],
      [41, 60],
    ]);
    expect(fusionCropRanges(102, 100)).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
    // An empty third falls back to offset 0, as upstream does.
    expect(fusionCropRanges(101, 100)).toEqual([
      [0, 0],
      [1, 1],
      [0, 0],
    ]);
    expect(defaultFusionCrops(160, 100)).toEqual([0, 30, 60]);
    const ranges = fusionCropRanges(1501, 1001);
    defaultFusionCrops(1501, 1001).forEach((c, i) => {
      expect(c).toBeGreaterThanOrEqual(ranges[i]![0]);
      expect(c).toBeLessThanOrEqual(ranges[i]![1]);
    });
  });

  it('shrinks along time only: a one-window log-mel comes back unchanged, a linear ramp stays linear', () => {
    const m = mel(fixture.shortMel);
    expect(shrinkFrames(m, m.frames)).toEqual(m.data);
    const ramp = { data: Float32Array.from({ length: 300 }, (_, i) => i), frames: 300, melBins: 1 };
    const shrunk = shrinkFrames(ramp, 100);
    // align_corners=False: output t samples input (t + 0.5)·3 − 0.5.
    expect(Array.from(shrunk.subarray(0, 3))).toEqual([1, 4, 7]);
  });

  it('refuses bad crops and too-short log-mels with AUDIO_ARGUMENT naming the range', () => {
    const long = mel(fixture.longMel);
    for (const crops of [
      [0, 0],
      [0, 0, 61],
      [0, -1, 0],
      [0, 1.5, 0],
    ]) {
      const call = () => fusionInput(long, 100, { crops });
      expect(call).toThrow(ClapError);
      expect(call).toThrow(/3 integer frame offsets .* from 0 to 60 for a 160-frame log-mel/);
    }
    expect(() => fusionInput(mel(fixture.shortMel), 101)).toThrow(
      /shorter than the 101-frame window/,
    );
  });

  it('fusionLogMel: a 10.5 s clip at 48 kHz gives 1,001-frame channels (whole clip shrunk, default crops); a 1 s clip four repeat-padded copies', () => {
    const extractor = new LogMelExtractor(getPreset('laion-fused'));
    const rate = 48_000;
    const tone = (seconds: number) =>
      Float32Array.from(
        { length: seconds * rate },
        (_, i) => Math.sin((2 * Math.PI * 440 * i) / rate) * (0.2 + 0.6 * (i / (seconds * rate))),
      );
    const longClip = tone(10.5);
    const long = fusionLogMel(longClip, extractor);
    const whole = extractor.compute(longClip);
    expect(whole.frames).toBe(1051);
    expect(long).toMatchObject({ frames: 1001, melBins: 64, longer: true, crops: [0, 25, 50] });
    expect(channel(long, 0)).toEqual(shrinkFrames(whole, 1001));
    expect(channel(long, 3)).toEqual(whole.data.subarray(50 * 64, 1051 * 64));
    const shortClip = tone(1);
    const short = fusionLogMel(shortClip, extractor);
    const padded = extractor.compute(cropOrPad(shortClip, 480_000, 'repeat-pad')).data;
    expect(short.longer).toBe(false);
    for (let c = 0; c < 4; c++) expect(channel(short, c)).toEqual(padded);
  });
});
