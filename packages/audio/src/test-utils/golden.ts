// Test helpers: load the committed torchaudio fixtures and compare dB arrays.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LogMelConfig } from '../config.js';

export interface GoldenCase {
  setting: Omit<LogMelConfig, 'amin' | 'ref' | 'clipSeconds'> & { name: string };
  signal: string;
  frames: number;
  melBins: number;
  logMel: Float32Array;
  samples: Float32Array;
}

/** Decodes a base64 float32 array (as the fixture generators write them). */
export function float32(b64: string): Float32Array {
  const bytes = Buffer.from(b64, 'base64');
  return new Float32Array(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  );
}

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));
}

export function loadGolden(): GoldenCase[] {
  const raw = JSON.parse(readFileSync(fixturePath('golden.json'), 'utf8')) as {
    signals: Record<string, Record<string, string>>;
    cases: {
      setting: GoldenCase['setting'];
      signal: string;
      frames: number;
      melBins: number;
      logMel: string;
    }[];
  };
  return raw.cases.map((c) => ({
    ...c,
    logMel: float32(c.logMel),
    samples: float32(raw.signals[String(c.setting.sampleRate)]?.[c.signal] as string),
  }));
}

export function configOf(c: GoldenCase): LogMelConfig {
  const { name: _name, ...rest } = c.setting;
  return { ...rest, amin: 1e-10, ref: 1, clipSeconds: 1 };
}

/**
 * Median and max |a − b| over cells where the reference is above −80 dB (the issue's
 * criterion) and, when `withinDbOfPeak` is given, no more than that far below the reference's
 * peak (float32 arithmetic cannot resolve cells ~120 dB under a pure tone to 1e-2 dB).
 */
export function dbError(
  actual: ArrayLike<number>,
  reference: ArrayLike<number>,
  withinDbOfPeak = Infinity,
): { median: number; max: number; cells: number } {
  let peak = -Infinity;
  for (let i = 0; i < reference.length; i++) peak = Math.max(peak, reference[i] as number);
  const floor = Math.max(-80, peak - withinDbOfPeak);
  const diffs: number[] = [];
  for (let i = 0; i < reference.length; i++) {
    if ((reference[i] as number) > floor)
      diffs.push(Math.abs((actual[i] as number) - (reference[i] as number)));
  }
  diffs.sort((x, y) => x - y);
  return {
    median: diffs[Math.floor(diffs.length / 2)] ?? 0,
    max: diffs[diffs.length - 1] ?? 0,
    cells: diffs.length,
  };
}
