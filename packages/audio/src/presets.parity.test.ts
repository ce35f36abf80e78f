import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { LogMelConfig } from './config.js';
import { LogMelExtractor } from './log-mel.js';
import { getPreset, type CanonicalPresetName } from './presets.js';
import { resampleFor } from './resample.js';
import { fixturePath } from './test-utils/golden.js';
import { clipWindows, windowClip } from './windows.js';

interface Case {
  preset: CanonicalPresetName;
  rate: number;
  offset: number | null;
  signal: string;
  frames: number;
  melBins: number;
  logMel: string;
}

const fixture = JSON.parse(readFileSync(fixturePath('preset-reference.json'), 'utf8')) as {
  clipSeconds: number;
  signals: Record<string, string>;
  cases: Case[];
};

const float32 = (b64: string): Float32Array => {
  const b = Buffer.from(b64, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

/** The whole front end as a user runs it: resample, window, pad, log-mel. */
function frontEnd(c: Case, config: LogMelConfig): { data: Float32Array; frames: number } {
  const audio = resampleFor(config, float32(fixture.signals[c.signal]!), c.rate);
  const spans = clipWindows(
    audio.length,
    config.sampleRate,
    config,
    c.offset === null ? {} : { offset: c.offset },
  );
  expect(spans.length).toBe(1);
  const mel = new LogMelExtractor(config).compute(
    windowClip(audio, spans[0]!, config.sampleRate, config),
  );
  return { data: mel.data, frames: mel.frames };
}

/** Max |ours − reference| over cells above (reference peak − 80 dB). */
function maxErrorAbovePeakMinus80(ours: Float32Array, reference: Float32Array): number {
  let peak = -Infinity;
  for (const v of reference) peak = Math.max(peak, v);
  let max = 0;
  for (let i = 0; i < reference.length; i++)
    if (reference[i]! > peak - 80) max = Math.max(max, Math.abs(ours[i]! - reference[i]!));
  return max;
}

describe('presets reproduce the original front ends (scripts/make_preset_reference.py)', () => {
  for (const c of fixture.cases) {
    const how = c.offset === null ? `${c.rate} Hz input, padded` : `crop at offset ${c.offset}`;
    it(`${c.preset}: ${how} → within 1e-2 dB above peak − 80 dB`, () => {
      const config = { ...getPreset(c.preset), clipSeconds: fixture.clipSeconds };
      const ours = frontEnd(c, config);
      expect(ours.frames).toBe(c.frames);
      expect(maxErrorAbovePeakMinus80(ours.data, float32(c.logMel))).toBeLessThanOrEqual(1e-2);
    });
  }

  it('tells the variants apart: HTK for unfused, or no 32 kHz filterbank for msclap 2023, fails', () => {
    const pick = (preset: string, offset: number | null): Case =>
      fixture.cases.find((c) => c.preset === preset && c.offset === offset)!;
    const unfused = pick('laion-unfused', null);
    const asFused = frontEnd(unfused, { ...getPreset('laion-fused'), clipSeconds: 0.15 });
    expect(maxErrorAbovePeakMinus80(asFused.data, float32(unfused.logMel))).toBeGreaterThan(1);
    const m23 = pick('msclap-2023', null);
    const plain = { ...getPreset('msclap-2023'), melSampleRate: null, clipSeconds: 0.15 };
    expect(
      maxErrorAbovePeakMinus80(frontEnd(m23, plain).data, float32(m23.logMel)),
    ).toBeGreaterThan(1);
  });
});
