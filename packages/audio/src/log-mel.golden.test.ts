import { describe, expect, it } from 'vitest';
import { LogMelExtractor } from './log-mel.js';
import { configOf, dbError, loadGolden } from './test-utils/golden.js';

const cases = loadGolden();

describe('log-mel matches torchaudio 0.13 (committed fixtures, scripts/make_golden.py)', () => {
  it('covers every preset and the htk / no-norm / power-1 / top-db / short-window settings', () => {
    const settings = new Set(cases.map((c) => c.setting.name));
    for (const s of [
      'msclap-2022',
      'msclap-2023',
      'laion',
      'fast',
      'htk-slaney-norm',
      'slaney-no-norm',
      'power-1',
      'top-db-80',
      'short-window-no-center',
    ]) {
      expect(settings.has(s)).toBe(true);
    }
  });

  for (const c of cases) {
    it(`${c.setting.name} / ${c.signal}: ≤ 1e-3 dB median, ≤ 1e-2 dB max above −80 dB`, () => {
      const out = new LogMelExtractor(configOf(c)).compute(c.samples);
      expect([out.frames, out.melBins]).toEqual([c.frames, c.melBins]);
      const err = dbError(out.data, c.logMel);
      expect(err.cells).toBeGreaterThan(0);
      expect(err.median).toBeLessThanOrEqual(1e-3);
      expect(err.max).toBeLessThanOrEqual(1e-2);
    });
  }
});
