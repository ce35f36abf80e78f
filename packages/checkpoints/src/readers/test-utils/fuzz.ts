import { readFileSync } from 'node:fs';
import { ClapError } from '@clapjs/core';
import fc from 'fast-check';
import { FIXTURES } from './fixtures.js';

/** Cases per reader per run, and the seed that makes a failure reproducible. */
export const FUZZ_RUNS = 10_000;
export const FUZZ_SEED = 20261204;

/** A hang guard, not a speed test: no single case may take longer than this. */
export const CASE_LIMIT_MS = 5_000;

/** Reads a fixture's bytes. */
export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(`${FIXTURES}${name}`));
}

/** Tallies how cases ended, so a suite can show it exercised both success and refusal. */
export class Outcomes {
  readonly codes = new Map<string, number>();
  ok = 0;
  slowest = 0;

  /**
   * Runs one case: a ClapError is an expected refusal (counted by code); any other error — a
   * TypeError, RangeError, out-of-memory — escapes and fails the property.
   */
  async run(body: () => unknown): Promise<void> {
    const start = performance.now();
    try {
      await body();
      this.ok++;
    } catch (error) {
      if (!(error instanceof ClapError)) throw error;
      this.codes.set(error.code, (this.codes.get(error.code) ?? 0) + 1);
    }
    const took = performance.now() - start;
    this.slowest = Math.max(this.slowest, took);
    if (took > CASE_LIMIT_MS) throw new Error(`a case took ${Math.round(took)} ms`);
  }

  get total(): number {
    return this.ok + [...this.codes.values()].reduce((a, b) => a + b, 0);
  }
}

/** Byte-level mutations of a seed file: overwritten bytes, extreme integer fields, truncation. */
export interface Mutation {
  readonly seed: number;
  readonly bytes: readonly { at: number; value: number; fromEnd: boolean }[];
  readonly fields: readonly { at: number; width: 2 | 4 | 8; value: bigint; fromEnd: boolean }[];
  readonly cut: number | null;
}

const EXTREMES = [
  0n,
  1n,
  2n,
  0x7fn,
  0xffn,
  0xffffn,
  0x7fffffffn,
  0xffffffffn,
  2n ** 53n,
  2n ** 64n - 1n,
];

/** Mutations of one of `seeds` seeds, biased to the end of the file (`window` bytes). */
export function mutationArbitrary(seeds: number): fc.Arbitrary<Mutation> {
  const position = { at: fc.nat(), fromEnd: fc.boolean() };
  return fc.record({
    seed: fc.nat(seeds - 1),
    bytes: fc.array(fc.record({ ...position, value: fc.integer({ min: 0, max: 255 }) }), {
      maxLength: 6,
    }),
    fields: fc.array(
      fc.record({
        ...position,
        width: fc.constantFrom(2 as const, 4 as const, 8 as const),
        value: fc.oneof(fc.constantFrom(...EXTREMES), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
      }),
      { maxLength: 3 },
    ),
    cut: fc.oneof({ arbitrary: fc.constant(null), weight: 9 }, { arbitrary: fc.nat(), weight: 1 }),
  });
}

/** Applies a mutation; positions `fromEnd` fall in the last `window` bytes. */
export function mutate(seed: Uint8Array, mutation: Mutation, window: number): Uint8Array {
  const out = seed.slice();
  const place = (at: number, fromEnd: boolean, width: number) => {
    const span = Math.max(1, out.length - width + 1);
    return fromEnd ? out.length - width - (at % Math.min(span, window)) : at % span;
  };
  const view = new DataView(out.buffer);
  for (const { at, value, fromEnd } of mutation.bytes) {
    const i = place(at, fromEnd, 1);
    if (i >= 0 && i < out.length) out[i] = value;
  }
  for (const { at, width, value, fromEnd } of mutation.fields) {
    const i = place(at, fromEnd, width);
    if (i < 0 || i + width > out.length) continue;
    const v = value & ((1n << BigInt(width * 8)) - 1n);
    if (width === 2) view.setUint16(i, Number(v), true);
    else if (width === 4) view.setUint32(i, Number(v), true);
    else view.setBigUint64(i, v, true);
  }
  return mutation.cut === null ? out : out.subarray(0, mutation.cut % (out.length + 1));
}
