import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeAudio } from './decode.js';
import { AudioDecodeError } from './errors.js';
import { encodeFlacVerbatim } from './test-utils/flac-encoder.js';
import { fixturePath } from './test-utils/golden.js';

/**
 * Truncated and corrupted FLAC, Ogg Vorbis and MP3 (the committed fixtures, and a four-frame
 * FLAC): a decode either throws AudioDecodeError or returns finite audio no shorter than the
 * intact file minus one MP3 frame, and nothing reaches the console. Each case instantiates a
 * wasm decoder, so the runs are fewer than the WAV fuzzer's.
 */
const SEEDS: [string, Uint8Array][] = [
  ['tone.flac', new Uint8Array(readFileSync(fixturePath('tone.flac')))],
  ['tone.ogg', new Uint8Array(readFileSync(fixturePath('tone.ogg')))],
  ['tone.mp3', new Uint8Array(readFileSync(fixturePath('tone.mp3')))],
  [
    'ramp.flac',
    encodeFlacVerbatim(
      [Int32Array.from({ length: 16000 }, (_, i) => ((i * 7) % 60000) - 30000)],
      16000,
      16,
    ),
  ],
];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1 }) }),
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.double({ min: 0, max: 1 }),
    value: fc.integer({ min: 1, max: 255 }),
  }),
);

describe('decodeAudio on mutated compressed audio (fuzz)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('only AudioDecodeError escapes, no silent short decode, no console output', async () => {
    const printed: unknown[] = [];
    for (const method of ['log', 'info', 'warn', 'error'] as const)
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void printed.push(args));
    const full = new Map<string, number>();
    for (const [name, bytes] of SEEDS) full.set(name, (await decodeAudio(bytes)).samples.length);
    await fc.assert(
      fc.asyncProperty(
        fc.nat(SEEDS.length - 1), // an index keeps counterexamples short
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        async (index, mutations) => {
          const [name, seed] = SEEDS[index] as [string, Uint8Array];
          let bytes = seed.slice();
          for (const m of mutations) {
            const at = Math.min(bytes.length - 1, Math.floor(m.at * bytes.length));
            if (m.kind === 'truncate') bytes = bytes.slice(0, Math.max(1, at));
            else bytes[at] = (bytes[at] as number) ^ m.value;
          }
          const cut = bytes.length < seed.length;
          try {
            const out = await decodeAudio(bytes, { name });
            for (const v of out.samples) expect(Number.isFinite(v)).toBe(true);
            // A cut file that decodes must still hold all its audio (MP3: up to a frame less).
            if (cut)
              expect(out.samples.length).toBeGreaterThanOrEqual((full.get(name) as number) - 1152);
          } catch (e) {
            expect(e).toBeInstanceOf(AudioDecodeError);
          }
        },
      ),
      { seed: 19, numRuns: 2000 },
    );
    expect(printed).toEqual([]);
  }, 60_000);
});
