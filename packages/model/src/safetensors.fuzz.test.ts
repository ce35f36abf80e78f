// Property-based fuzzing of the safetensors reader: structured headers (right and wrong dtypes,
// shapes, offsets, duplicate-free and overlapping layouts) and byte-level damage to valid files.
// Whatever the bytes, the reader returns tensors that lie inside the file, or throws a
// ModelFormatError — never a TypeError/RangeError, never a hang.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClapError } from '@clapjs/core';
import { readSafetensors, writeSafetensors } from './safetensors.js';

const RUNS = 10_000;
/** A hang detector, not a speed test: one case parses a few hundred bytes. */
const CASE_LIMIT_MS = 2_000;

function fileOf(header: string, data: Uint8Array, lengthDelta = 0): Uint8Array {
  const head = new TextEncoder().encode(header);
  const bytes = new Uint8Array(8 + head.length + data.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(Math.max(0, head.length + lengthDelta)), true);
  bytes.set(head, 8);
  bytes.set(data, 8 + head.length);
  return bytes;
}

/** Reads, and checks what a successful read promises. */
function check(bytes: Uint8Array): void {
  const started = performance.now();
  try {
    const { tensors } = readSafetensors(bytes, 'fuzz.safetensors');
    for (const t of tensors.values()) {
      expect(t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)).toBe(true);
      expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
      expect(t.data.length).toBeLessThanOrEqual(bytes.length);
    }
  } catch (error) {
    if (!(error instanceof ClapError)) throw error;
    expect(error.message).toMatch(/^fuzz\.safetensors is not a valid safetensors file: /);
  }
  expect(performance.now() - started).toBeLessThan(CASE_LIMIT_MS);
}

const dtype = fc.oneof(
  fc.constantFrom('F32', 'F16', 'BF16', 'F64', 'I32', 'I64'),
  fc.constantFrom('F8', 'f32', '', 'BOOL'),
  fc.anything(),
);
const dim = fc.oneof(
  fc.integer({ min: 0, max: 6 }),
  fc.integer({ min: -3, max: -1 }),
  fc.constantFrom(1.5, 2 ** 53, Number.MAX_VALUE, 'abc', null),
);
const entry = fc.record(
  {
    dtype,
    shape: fc.oneof(fc.array(dim, { maxLength: 3 }), fc.constantFrom('abc', null, 3)),
    data_offsets: fc.oneof(
      fc.tuple(fc.integer({ min: -8, max: 64 }), fc.integer({ min: -8, max: 64 })),
      fc.array(fc.anything(), { maxLength: 3 }),
      fc.constantFrom(null, 'x'),
    ),
  },
  { requiredKeys: [] },
);
const header = fc.oneof(
  fc.dictionary(
    fc.constantFrom('a', 'b', 'c', '__metadata__', '__proto__'),
    fc.oneof(entry, fc.anything()),
    {
      maxKeys: 4,
    },
  ),
  fc.anything(),
);

describe('safetensors reader under fuzzing', () => {
  it(`structured headers (${RUNS} cases): tensors inside the file, or a typed error`, () => {
    fc.assert(
      fc.property(
        header,
        fc.uint8Array({ maxLength: 96 }),
        fc.integer({ min: -4, max: 4 }),
        (h, data, delta) => check(fileOf(JSON.stringify(h) ?? 'undefined', data, delta)),
      ),
      { numRuns: RUNS, seed: 19 },
    );
  });

  it(`damaged valid files (${RUNS} cases): flipped, cut and inserted bytes`, () => {
    const valid = writeSafetensors(
      new Map([
        ['w', { shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) }],
        ['b', { shape: [3], data: new Float32Array([7, 8, 9]) }],
      ]),
      { format: 'pt' },
    );
    const edit = fc.oneof(
      fc.record({
        kind: fc.constant('set' as const),
        at: fc.nat(),
        value: fc.integer({ min: 0, max: 255 }),
      }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        value: fc.integer({ min: 0, max: 255 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 6 }), (edits) => {
        let bytes = Uint8Array.from(valid);
        for (const e of edits) {
          const at = e.at % (bytes.length + 1);
          if (e.kind === 'set' && at < bytes.length) bytes[at] = e.value;
          else if (e.kind === 'cut') bytes = bytes.slice(0, at);
          else if (e.kind === 'insert')
            bytes = Uint8Array.from([...bytes.subarray(0, at), e.value, ...bytes.subarray(at)]);
        }
        check(bytes);
      }),
      { numRuns: RUNS, seed: 19 },
    );
  });
});
