// Property-based fuzzing of the tar indexer on damaged shards: random bytes written over the
// headers (size fields above all), pax records with hostile sizes, cut files. Whatever the
// bytes, it returns members that lie inside the file, or throws a DatasetError.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ClapError } from '@clapjs/core';
import { tempDir } from '../test-utils/fixtures.js';
import { paxRecord, tarBytes, tarHeader } from '../test-utils/tar-builder.js';
import { indexTar } from './tar-index.js';

const RUNS = 10_000;
/** A hang detector, not a speed test: one case indexes a few kilobytes. */
const CASE_LIMIT_MS = 2_000;
// In memory where there is a tmpfs: 20,000 writes to an overlay /tmp take ~15x longer.
const dir = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/clapjs-tar-fuzz-') : tempDir();
const file = join(dir, 'fuzz.tar');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function check(bytes: Uint8Array): void {
  writeFileSync(file, bytes);
  const started = performance.now();
  try {
    for (const m of indexTar(file, (name) => name.endsWith('.json'))) {
      expect(Number.isSafeInteger(m.size) && m.size >= 0).toBe(true);
      expect(m.offset + m.size).toBeLessThanOrEqual(bytes.length);
      if (m.body !== undefined) expect(m.body.length).toBe(m.size);
    }
  } catch (error) {
    if (!(error instanceof ClapError)) throw error;
    expect(error.message).toContain(file);
  }
  expect(performance.now() - started).toBeLessThan(CASE_LIMIT_MS);
}

const text = (s: string) => new TextEncoder().encode(s);
const pax = (record: string) => [
  tarHeader('PaxHeader', text(record).length.toString(8), 'x'),
  text(record),
];
const sizeText = fc.oneof(
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }).map(String),
  fc.constantFrom(
    'abc',
    '',
    '-0',
    '1e3',
    ' 12',
    '0x10',
    '99999999999999999999',
    String(3 * 2 ** 30),
  ),
  fc.string({ maxLength: 12 }),
);

describe('tar indexer under fuzzing', () => {
  it(`hostile size fields and pax records (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: -8, max: 4096 }).map((n) => n.toString(8)),
          sizeText,
        ),
        fc.option(fc.tuple(fc.constantFrom('size', 'path', 'x'), sizeText)),
        fc.constantFrom('0', 'x', 'g', 'L', '5', '2', '\0', 'Z'),
        (size, record, type) => {
          const parts = [
            ...(record === null ? [] : pax(paxRecord(record[0], record[1]))),
            tarHeader('a.json', size, type),
            text('{"caption":"x"}'),
            tarHeader('a.wav', '20'),
            new Uint8Array(20),
          ];
          check(tarBytes(...parts));
        },
      ),
      { numRuns: RUNS, seed: 19 },
    );
  });

  it(`random damage to a valid shard (${RUNS} cases)`, () => {
    const valid = tarBytes(
      ...pax(paxRecord('path', 'long/name/of/a/clip.json')),
      tarHeader('ignored', '15'),
      text('{"caption":"x"}'),
      tarHeader('clip.wav', (100).toString(8)),
      new Uint8Array(100),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.nat(valid.length),
        (sets, cut) => {
          const bytes = Uint8Array.from(valid);
          for (const [at, value] of sets) bytes[at] = value;
          check(bytes.subarray(0, cut));
        },
      ),
      { numRuns: RUNS, seed: 19 },
    );
  });
});
