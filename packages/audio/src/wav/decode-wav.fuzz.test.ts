import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sniffContainer } from '../decode.js';
import { AudioDecodeError } from '../errors.js';
import { MAX_SAMPLE_RATE, MIN_SAMPLE_RATE } from '../types.js';
import { buildWav } from '../test-utils/wav-builder.js';
import { decodeWav } from './decode-wav.js';

/** Valid WAVs of every supported layout, small so 10,000 mutations take a few seconds. */
const SEEDS = [
  buildWav({ bits: 16 }),
  buildWav({ bits: 8, channels: 2 }),
  buildWav({ bits: 24, channels: 3, extensible: true, between: [['LIST', new Uint8Array(5)]] }),
  buildWav({ bits: 32 }),
  buildWav({ tag: 3, bits: 32, channels: 2 }),
  buildWav({ tag: 3, bits: 64, extensible: true, before: [['JUNK', new Uint8Array(6)]] }),
];
/** Offsets of the RIFF size, fmt fields and data size in a plain WAV header. */
const HEADER_FIELDS = [4, 16, 20, 22, 24, 28, 32, 34, 40];

type Mutation =
  | { kind: 'flip'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'field'; field: number; value: number; width: 2 | 4 }
  | { kind: 'float'; at: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.nat(255) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ maxLength: 12 }),
  }),
  fc.record({
    kind: fc.constant('field' as const),
    field: fc.constantFrom(...HEADER_FIELDS),
    value: fc.oneof(fc.nat(), fc.constantFrom(0, 1, 0xffff, 0xffffffff, 0x7fffffff)),
    width: fc.constantFrom(2 as const, 4 as const),
  }),
  fc.record({
    kind: fc.constant('float' as const),
    at: fc.nat(),
    value: fc.constantFrom(Number.NaN, Infinity, -Infinity, 1e30, -0),
  }),
);

function mutate(seed: Uint8Array, mutations: Mutation[]): Uint8Array {
  let bytes = seed.slice();
  for (const m of mutations) {
    const at = (n: number): number => (bytes.length === 0 ? 0 : n % bytes.length);
    if (m.kind === 'flip' && bytes.length > 0) bytes[at(m.at)] = m.value;
    else if (m.kind === 'truncate') bytes = bytes.slice(0, at(m.at));
    else if (m.kind === 'insert') {
      const i = at(m.at);
      bytes = Uint8Array.from([...bytes.subarray(0, i), ...m.bytes, ...bytes.subarray(i)]);
    } else if (m.kind === 'field' && m.field + m.width <= bytes.length) {
      const view = new DataView(bytes.buffer);
      if (m.width === 2) view.setUint16(m.field, m.value & 0xffff, true);
      else view.setUint32(m.field, m.value >>> 0, true);
    } else if (m.kind === 'float' && bytes.length >= 4) {
      new DataView(bytes.buffer).setFloat32(
        Math.min(at(m.at), bytes.length - 4) & ~3,
        m.value,
        true,
      );
    }
  }
  return bytes;
}

describe('decodeWav under mutation (property)', () => {
  it('returns valid audio or throws AudioDecodeError for 10,000 mutated files', () => {
    let decoded = 0;
    let rejected = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (seed, mutations) => {
          const bytes = mutate(seed, mutations);
          try {
            if (bytes.length > 0) sniffContainer(bytes, 'fuzz.wav');
            const out = decodeWav(bytes, 'fuzz.wav');
            expect(out.samples).toBeInstanceOf(Float32Array);
            expect(out.samples.length).toBeGreaterThan(0);
            expect(out.sampleRate).toBeGreaterThanOrEqual(MIN_SAMPLE_RATE);
            expect(out.sampleRate).toBeLessThanOrEqual(MAX_SAMPLE_RATE);
            for (const v of out.samples)
              if (!Number.isFinite(v)) throw new Error(`non-finite sample ${v} escaped`);
            decoded++;
          } catch (error) {
            if (!(error instanceof AudioDecodeError)) throw error;
            expect(error.message).toContain('fuzz.wav');
            rejected++;
          }
        },
      ),
      { numRuns: 10_000, seed: 20261128 },
    );
    // Both outcomes must actually occur, or the mutations are too weak or too strong to test anything.
    expect(decoded).toBeGreaterThan(500);
    expect(rejected).toBeGreaterThan(500);
  });
});
