// Property-based fuzzing of what a saved model directory feeds the loader: model.json's weights
// manifest with its shards (decodeWeights through fileReader), the JSON files themselves
// (readJson), and tokenizer.json's saved state for each built-in tokenizer. Whatever the
// content, the readers return well-formed results or throw a ClapError; no tensor leaks.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClapError, create, selectBackend } from '@clapjs/core';
import { byteLevelBpeTokenizerJson } from '@clapjs/text-encoders';
import './index.js';
import { fileReader, readJson } from './io.js';
import { decodeWeights } from './weights.js';

const RUNS = 10_000;
/** A hang detector, not a speed test. */
const CASE_LIMIT_MS = 2_000;

beforeAll(async () => {
  await selectBackend('cpu');
});

async function typedOrOk<T>(run: () => Promise<T>): Promise<T | undefined> {
  const started = performance.now();
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof ClapError)) throw error;
    return undefined;
  } finally {
    expect(performance.now() - started).toBeLessThan(CASE_LIMIT_MS);
  }
}

const weightSpec = fc.record(
  {
    name: fc.oneof(fc.constantFrom('a', 'b'), fc.anything()),
    shape: fc.oneof(
      fc.array(fc.integer({ min: -2, max: 5 }), { maxLength: 3 }),
      fc.constantFrom([1.5], ['2'], null, 'abc', [2 ** 40, 2 ** 40]),
    ),
    dtype: fc.oneof(
      fc.constantFrom('float32', 'int32', 'complex64', 'string', 'bool'),
      fc.anything(),
    ),
  },
  { requiredKeys: [] },
);
const shardName = fc.oneof(
  fc.constantFrom('w.bin', 'v.bin', 'missing.bin', '../w.bin', '/dev/zero', '..', '.', 'a/b'),
  fc.string({ maxLength: 8 }),
  fc.anything(),
);
const group = fc.oneof(
  fc.record(
    {
      paths: fc.oneof(fc.array(shardName, { maxLength: 3 }), fc.anything()),
      weights: fc.oneof(fc.array(weightSpec, { maxLength: 3 }), fc.anything()),
    },
    { requiredKeys: [] },
  ),
  fc.anything(),
);
const floats = fc.array(fc.oneof(fc.float(), fc.constantFrom(Number.NaN, Infinity, -Infinity)), {
  maxLength: 24,
});

describe('model directory readers under fuzzing', () => {
  afterAll(() => undefined);

  it(`weights manifests and shards (${RUNS} cases): tensors match the manifest, or a typed error`, async () => {
    const before = tf.memory().numTensors;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.array(group, { maxLength: 3 }), fc.anything()),
        floats,
        fc.integer({ min: -6, max: 6 }),
        async (manifest, values, cut) => {
          const w = new Uint8Array(Float32Array.from(values).buffer);
          const files = new Map([
            ['w.bin', w.subarray(0, Math.max(0, w.length + cut))],
            ['v.bin', new Uint8Array(8)],
          ]);
          const read = fileReader({
            fetch: async (path) => {
              const bytes = files.get(path);
              if (bytes === undefined) throw new Error(`404 ${path}`);
              return bytes.slice().buffer;
            },
          });
          const tensors = await typedOrOk(() => decodeWeights(manifest as never, read));
          if (tensors === undefined) return;
          for (const t of tensors.values()) {
            if (t.dtype === 'float32')
              expect(Array.from(t.dataSync()).every(Number.isFinite)).toBe(true);
            t.dispose();
          }
        },
      ),
      { numRuns: RUNS, seed: 19 },
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it(`JSON files of any bytes (${RUNS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc.json().map((j) => new TextEncoder().encode(j)),
        ),
        async (bytes) => {
          await typedOrOk(() =>
            readJson(fileReader({ fetch: async () => bytes.slice().buffer }), 'config.json'),
          );
        },
      ),
      { numRuns: RUNS, seed: 19 },
    );
  });

  const bpe = byteLevelBpeTokenizerJson({
    vocab: { '<s>': 0, '<pad>': 1, '</s>': 2, d: 3, o: 4, g: 5, do: 6, dog: 7 },
    merges: '#version: 0.2\nd o\ndo g\n',
  });
  const vocabEntry = fc.oneof(
    fc.constantFrom('<pad>', '<unk>', '<s>', '</s>', 'dog'),
    fc.string({ maxLength: 4 }),
    fc.anything(),
  );
  const states: Record<string, fc.Arbitrary<unknown>> = {
    word: fc.oneof(
      fc.record(
        { vocab: fc.oneof(fc.array(vocabEntry, { maxLength: 8 }), fc.anything()) },
        { requiredKeys: [] },
      ),
      fc.anything(),
    ),
    'bert-wordpiece': fc.oneof(
      fc.record(
        { vocab: fc.anything(), vocabSize: fc.oneof(fc.nat(), fc.anything()) },
        { requiredKeys: [] },
      ),
      fc.anything(),
    ),
    'byte-level-bpe': fc.oneof(
      fc.record(
        {
          tokenizer: fc.oneof(
            fc.constant(bpe),
            fc.record(
              {
                model: fc.record(
                  {
                    type: fc.constantFrom('BPE', 'WordPiece', 7),
                    vocab: fc.oneof(
                      fc.constant((bpe.model as { vocab: unknown }).vocab),
                      fc.dictionary(fc.string({ maxLength: 3 }), fc.anything(), { maxKeys: 4 }),
                      fc.anything(),
                    ),
                    merges: fc.oneof(
                      fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.anything()), {
                        maxLength: 4,
                      }),
                      fc.anything(),
                    ),
                  },
                  { requiredKeys: [] },
                ),
                added_tokens: fc.oneof(fc.constant(bpe.added_tokens), fc.anything()),
                pre_tokenizer: fc.oneof(fc.constant(bpe.pre_tokenizer), fc.anything()),
              },
              { requiredKeys: [] },
            ),
            fc.anything(),
          ),
        },
        { requiredKeys: [] },
      ),
      fc.anything(),
    ),
  };

  for (const [name, state] of Object.entries(states)) {
    it(`tokenizer.json state of "${name}" (${RUNS} cases): a working tokenizer, or a typed error`, async () => {
      await fc.assert(
        fc.asyncProperty(state, fc.string({ maxLength: 12 }), async (s, text) => {
          const tokenizer = await typedOrOk(async () =>
            create('tokenizer', { name, maxLength: 8 }, { state: s }),
          );
          if (tokenizer === undefined) return;
          const { ids } = tokenizer.encode(text, 8);
          expect(ids.length).toBe(8);
          expect(
            Array.from(ids).every(
              (id) => Number.isInteger(id) && id >= 0 && id < tokenizer.vocabSize,
            ),
          ).toBe(true);
        }),
        { numRuns: RUNS, seed: 19 },
      );
    });
  }
});
