import { getPreset, LogMelExtractor } from '@clapjs/audio';
import { ConfigError } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { CONTOURS, LOUDNESS, NOISE_COLOURS, REGISTERS, TIMBRES } from './attributes.js';
import { SynthDataset, synthConfigSchema } from './dataset.js';

function synth(overrides: Record<string, unknown> = {}): SynthDataset {
  return new SynthDataset({ name: 'synth', ...synthConfigSchema.parse(overrides) });
}

const words = (caption: string): string[] => caption.toLowerCase().split(/[^a-z]+/);

describe('synth dataset', () => {
  it('is deterministic from the seed', async () => {
    const a = await synth({ seed: 7, size: 20 }).get(13);
    const b = await synth({ seed: 7, size: 20 }).get(13);
    const c = await synth({ seed: 8, size: 20 }).get(13);
    expect(a.captions).toEqual(b.captions);
    expect(a.audio).toEqual(b.audio);
    expect(a.audio.kind === 'samples' && a.audio.samples.length).toBe(32000);
    expect(c.audio).not.toEqual(a.audio);
  });

  it('writes captions that name exactly the clip attributes', () => {
    const ds = synth({ size: 400 });
    for (let i = 0; i < ds.size; i++) {
      const { attributes: a, captions } = ds.describe(i);
      expect(captions).toHaveLength(5);
      const all = captions.flatMap(words);
      for (const caption of captions) {
        const w = words(caption);
        if (a.kind === 'tone') {
          expect(w).toContain(a.timbre);
          expect(w).toContain(a.contour);
          expect(TIMBRES.filter((t) => t !== a.timbre && w.includes(t))).toEqual([]);
          expect(CONTOURS.filter((c) => c !== a.contour && w.includes(c))).toEqual([]);
        } else {
          expect(w).toContain(a.colour);
          expect(w).toContain('noise');
          expect([...TIMBRES, ...CONTOURS, ...REGISTERS].filter((t) => w.includes(t))).toEqual([]);
        }
        expect(LOUDNESS.filter((l) => l !== a.loudness && w.includes(l))).toEqual([]);
        if (a.background === 'none') expect(w).not.toContain('crackle');
      }
      expect(all.includes('crackle')).toBe(a.background === 'crackle');
      expect(all).toContain(a.loudness);
      expect(all).toContain(a.rhythm === 'hit' ? 'hit' : a.rhythm);
      if (a.kind === 'tone') expect(all).toContain(a.register);
    }
  });

  it('keeps held-out combinations out of training while every word occurs there', () => {
    const ds = synth();
    expect(ds.heldOutLabels).toHaveLength(4);
    const trainWords = new Set<string>();
    for (const i of ds.indicesFor('train')) {
      const d = ds.describe(i);
      expect(d.heldOut).toBe(false);
      for (const caption of d.captions) {
        const w = words(caption);
        w.forEach((x) => trainWords.add(x));
        for (const label of ds.heldOutLabels) {
          const [timbre, contour] = label.split(' ') as [string, string];
          expect(w.includes(timbre) && w.includes(contour), `"${caption}" pairs ${label}`).toBe(
            false,
          );
        }
      }
    }
    for (const word of [
      ...TIMBRES,
      ...CONTOURS,
      ...REGISTERS,
      ...NOISE_COLOURS,
      ...LOUDNESS,
      'sustained',
      'pulsing',
      'hit',
      'crackle',
    ]) {
      expect(trainWords.has(word), word).toBe(true);
    }
    const task = ds.zeroShotTask();
    expect(task.labels).toEqual([...ds.heldOutLabels]);
    expect(task.allLabels).toHaveLength(16);
    expect(task.template).toContain('{label}');
    expect(task.indices.length).toBeGreaterThanOrEqual(200);
    task.indices.forEach((index, k) => {
      const d = ds.describe(index);
      expect(d.split).toBe('test');
      expect(d.label).toBe(task.itemLabels[k]);
      expect(task.labels).toContain(d.label);
    });
    expect(ds.indicesFor('val').length).toBeGreaterThan(0);
  });

  it('accepts explicit held-out labels and refuses ones that orphan a word', () => {
    expect(synth({ heldOut: ['bell rising', 'pure steady'] }).heldOutLabels).toEqual([
      'bell rising',
      'pure steady',
    ]);
    expect(() =>
      synth({ heldOut: ['bell rising', 'bell falling', 'bell steady', 'bell wobbling'] }),
    ).toThrow(ConfigError);
    expect(() => synth({ heldOut: ['loud rising'] })).toThrow(/not a "<timbre> <contour>"/);
    expect(synth({ heldOut: 0.5 }).heldOutLabels).toHaveLength(8);
  });

  it('makes attributes visible in a 64-mel log-mel at 16 kHz', async () => {
    const ds = synth({ size: 600, backgroundProbability: 0 });
    const fe = new LogMelExtractor(getPreset('fast'));
    const peakBin = (data: Float32Array, frame: number, bins: number): number => {
      let best = 0;
      for (let m = 1; m < bins; m++)
        if ((data[frame * bins + m] as number) > (data[frame * bins + best] as number)) best = m;
      return best;
    };
    const seen = { rising: 0, falling: 0, register: 0 };
    const loudPeaks: number[] = [];
    const quietPeaks: number[] = [];
    for (let i = 0; i < ds.size; i++) {
      const a = ds.describe(i).attributes;
      if (a.kind !== 'tone' || a.timbre !== 'pure' || a.rhythm !== 'sustained') continue;
      const item = await ds.get(i);
      if (item.audio.kind !== 'samples') throw new Error('synth yields samples');
      const mel = fe.compute(item.audio.samples);
      const track = Array.from({ length: mel.frames }, (_, f) => peakBin(mel.data, f, mel.melBins));
      const early = track[Math.round(mel.frames * 0.5)] as number;
      // Count upward and downward moves of the peak, ignoring the jump back between sweeps.
      let [ups, downs] = [0, 0];
      for (let f = 1; f < track.length; f++) {
        const d = (track[f] as number) - (track[f - 1] as number);
        if (d > 0 && d < 6) ups++;
        if (d < 0 && d > -6) downs++;
      }
      if (a.contour === 'rising') {
        expect(ups).toBeGreaterThan(Math.max(2 * downs, 8));
        seen.rising++;
      }
      if (a.contour === 'falling') {
        expect(downs).toBeGreaterThan(Math.max(2 * ups, 8));
        seen.falling++;
      }
      if (a.contour === 'steady') {
        // Low tones peak below ~560 Hz (mel bin 12 of 64), high ones above ~570 Hz.
        expect(a.register === 'low' ? early <= 12 : early >= 12).toBe(true);
        seen.register++;
      }
      const max = mel.data.reduce((m, v) => Math.max(m, v), -Infinity);
      (a.loudness === 'loud' ? loudPeaks : quietPeaks).push(max);
    }
    expect(Math.min(seen.rising, seen.falling, seen.register)).toBeGreaterThan(0);
    // Loud clips peak at least 12 dB above every quiet one.
    expect(Math.min(...loudPeaks)).toBeGreaterThan(Math.max(...quietPeaks) + 12);
  });
});
