import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memorySource } from './byte-source.js';
import {
  FUZZ_RUNS,
  FUZZ_SEED,
  Outcomes,
  fixtureBytes,
  mutate,
  mutationArbitrary,
} from './test-utils/fuzz.js';
import { openTorchZip } from './torch-zip.js';

const SEEDS = ['nested-fp32.pt', 'views.pt', 'epoch-module-fp16.pt', 'int64-overflow.pt'].map(
  fixtureBytes,
);

describe('fuzzing the torch zip reader (central directory, local headers, storages)', () => {
  it(`${FUZZ_RUNS} mutated archives: only ClapErrors escape, every case ends, reads stay in the file`, async () => {
    const outcomes = new Outcomes();
    await fc.assert(
      fc.asyncProperty(mutationArbitrary(SEEDS.length), async (mutation) => {
        // Most mutations land in the last 2 KiB: the end record and central directory.
        const bytes = mutate(SEEDS[mutation.seed]!, mutation, 2048);
        const source = memorySource(bytes, 'fuzz.pt');
        let largest = 0;
        const read = source.read.bind(source);
        source.read = (offset, length, what, into) => {
          largest = Math.max(largest, length);
          return read(offset, length, what, into);
        };
        await outcomes.run(async () => {
          const opened = await openTorchZip(source);
          for (const [name, entry] of opened.tensors) {
            const data = await entry.read(name);
            expect(data.length).toBe(entry.shape.reduce((a, b) => a * b, 1));
            // Output is bounded by the file: a tensor has at most its storage's elements.
            expect(data.length).toBeLessThanOrEqual(bytes.length);
          }
        });
        expect(largest).toBeLessThanOrEqual(bytes.length);
      }),
      { numRuns: FUZZ_RUNS, seed: FUZZ_SEED },
    );
    // The mutations exercise both paths: intact archives still read, broken ones are refused.
    expect(outcomes.total).toBe(FUZZ_RUNS);
    expect(outcomes.ok).toBeGreaterThan(FUZZ_RUNS / 100);
    expect(outcomes.codes.get('ZIP_FORMAT')).toBeGreaterThan(FUZZ_RUNS / 100);
  });

  it('random bytes are refused as ZIP_FORMAT or read as an archive, never crash', async () => {
    const outcomes = new Outcomes();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async (bytes) => {
        await outcomes.run(() => openTorchZip(memorySource(bytes, 'random.pt')));
      }),
      { numRuns: 2_000, seed: FUZZ_SEED },
    );
    expect(outcomes.ok).toBe(0);
  });
});
