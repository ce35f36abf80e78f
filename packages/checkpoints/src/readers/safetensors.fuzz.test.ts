import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memorySource } from './byte-source.js';
import { openSafetensors } from './safetensors.js';
import {
  FUZZ_RUNS,
  FUZZ_SEED,
  Outcomes,
  fixtureBytes,
  mutate,
  mutationArbitrary,
} from './test-utils/fuzz.js';

const SEED = fixtureBytes('tiny.safetensors');
const DTYPES = ['F32', 'F16', 'BF16', 'I64', 'I32', 'U8', 'BOOL', 'F64', 'F8_E4M3', 'X'];

/** A header entry that is valid, or has any of its fields replaced by arbitrary JSON. */
const entry = fc.record({
  dtype: fc.oneof(fc.constantFrom(...DTYPES), fc.jsonValue()),
  shape: fc.oneof(
    fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 3 }),
    fc.array(fc.oneof(fc.integer({ min: -3, max: 2 ** 40 }), fc.double()), { maxLength: 3 }),
    fc.jsonValue(),
  ),
  begin: fc.oneof(fc.integer({ min: -8, max: 512 }), fc.double(), fc.constant(null)),
  length: fc.oneof(fc.constant(null), fc.integer({ min: -8, max: 512 })),
  extra: fc.option(fc.jsonValue(), { freq: 10 }),
});

type Entry = typeof entry extends fc.Arbitrary<infer T> ? T : never;

const BYTES: Record<string, number> = {
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  U8: 1,
  BOOL: 1,
  F64: 8,
  F8_E4M3: 1,
};

/** Builds a file: entries laid out back to back (when `tile`), then fields as generated. */
function build(
  entries: { name: string; e: Entry }[],
  tile: boolean,
  metadata: unknown,
  slack: number,
) {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header.__metadata__ = metadata;
  let offset = 0;
  for (const { name, e } of entries) {
    const numel = Array.isArray(e.shape)
      ? (e.shape as unknown[]).reduce((a: number, b) => a * Number(b), 1)
      : 1;
    const size = e.length ?? numel * (BYTES[typeof e.dtype === 'string' ? e.dtype : ''] ?? 1);
    const begin = tile ? offset : e.begin;
    const end = typeof begin === 'number' ? begin + size : size;
    header[name] = {
      dtype: e.dtype,
      shape: e.shape,
      data_offsets: [begin, end],
      ...(e.extra === null ? {} : { x: e.extra }),
    };
    if (typeof end === 'number' && Number.isFinite(end)) offset = end;
  }
  const text = new TextEncoder().encode(JSON.stringify(header));
  const dataBytes = Math.max(0, Math.min(4096, Number.isFinite(offset) ? offset : 0) + slack);
  const out = new Uint8Array(8 + text.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  return out;
}

async function openAndReadAll(bytes: Uint8Array) {
  const opened = await openSafetensors(memorySource(bytes, 'fuzz.safetensors'));
  const spans: [number, number][] = [];
  for (const [name, tensor] of opened.tensors) {
    const data = await tensor.read(name);
    expect(data.length).toBe(tensor.shape.reduce((a, b) => a * b, 1));
    expect(data.length).toBeLessThanOrEqual(bytes.length);
  }
  // Independently of the validator: accepted tensors lie in the file and do not overlap.
  const header = 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  for (const value of Object.values(
    JSON.parse(new TextDecoder().decode(bytes.subarray(8, header))) as Record<
      string,
      { data_offsets?: [number, number] }
    >,
  )) {
    if (value.data_offsets) spans.push(value.data_offsets);
  }
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let previous = 0;
  for (const [begin, end] of spans) {
    expect(begin).toBe(previous);
    previous = end;
  }
  expect(header + previous).toBe(bytes.length);
}

describe('fuzzing the safetensors header validation', () => {
  it(`${FUZZ_RUNS} generated headers: only ClapErrors escape, whatever is accepted is sound`, async () => {
    const outcomes = new Outcomes();
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.record({ name: fc.string({ minLength: 1, maxLength: 6 }), e: entry }), {
          maxLength: 5,
          selector: (item) => item.name,
        }),
        fc.boolean(),
        fc.option(fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.jsonValue())),
        fc.oneof(
          { arbitrary: fc.constant(0), weight: 4 },
          { arbitrary: fc.integer({ min: -4, max: 4 }), weight: 1 },
        ),
        async (entries, tile, metadata, slack) => {
          await outcomes.run(() =>
            openAndReadAll(build(entries, tile, metadata ?? undefined, slack)),
          );
        },
      ),
      { numRuns: FUZZ_RUNS, seed: FUZZ_SEED },
    );
    expect(outcomes.total).toBe(FUZZ_RUNS);
    expect(outcomes.ok).toBeGreaterThan(FUZZ_RUNS / 100);
    expect(outcomes.codes.get('SAFETENSORS_FORMAT')).toBeGreaterThan(FUZZ_RUNS / 10);
  });

  it(`${FUZZ_RUNS} mutated files: only ClapErrors escape`, async () => {
    const outcomes = new Outcomes();
    await fc.assert(
      fc.asyncProperty(mutationArbitrary(1), async (mutation) => {
        // Most mutations land in the header: its first 1 KiB.
        const bytes = mutate(
          SEED,
          {
            ...mutation,
            fields: mutation.fields.map((f) => ({ ...f, fromEnd: false, at: f.at % 1024 })),
          },
          2048,
        );
        await outcomes.run(() => openAndReadAll(bytes));
      }),
      { numRuns: FUZZ_RUNS, seed: FUZZ_SEED },
    );
    expect(outcomes.total).toBe(FUZZ_RUNS);
    expect(outcomes.ok).toBeGreaterThan(FUZZ_RUNS / 100);
  });
});
