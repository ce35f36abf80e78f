import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memorySource } from './byte-source.js';
import { openLegacy } from './legacy.js';
import {
  FUZZ_RUNS,
  FUZZ_SEED,
  Outcomes,
  fixtureBytes,
  mutate,
  mutationArbitrary,
} from './test-utils/fuzz.js';

const SEED = fixtureBytes('legacy.pt');

describe('fuzzing the legacy torch reader (pickles back to back, then counted storages)', () => {
  it(`${FUZZ_RUNS} mutated files: only ClapErrors escape, reads stay in the file`, async () => {
    const outcomes = new Outcomes();
    await fc.assert(
      fc.asyncProperty(mutationArbitrary(1), async (mutation) => {
        const bytes = mutate(SEED, mutation, SEED.length);
        await outcomes.run(async () => {
          const opened = await openLegacy(memorySource(bytes, 'fuzz-legacy.pt'));
          for (const [name, entry] of opened.tensors) {
            const data = await entry.read(name);
            expect(data.length).toBe(entry.shape.reduce((a, b) => a * b, 1));
            expect(data.length).toBeLessThanOrEqual(bytes.length);
          }
        });
      }),
      { numRuns: FUZZ_RUNS, seed: FUZZ_SEED },
    );
    expect(outcomes.total).toBe(FUZZ_RUNS);
    expect(outcomes.ok).toBeGreaterThan(FUZZ_RUNS / 100);
  });
});
