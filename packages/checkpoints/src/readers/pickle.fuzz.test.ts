import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { memorySource } from './byte-source.js';
import { ALLOWED_GLOBALS, unpickleTorch } from './torch-pickle.js';
import { flattenTensors } from './tree.js';
import {
  FUZZ_RUNS,
  FUZZ_SEED,
  Outcomes,
  fixtureBytes,
  mutate,
  mutationArbitrary,
} from './test-utils/fuzz.js';
import { readZipDirectory, zipEntryDataOffset } from './zip.js';

/** The data.pkl of each fixture, as torch.save wrote it (protocol 2 and 4). */
const pickles: Uint8Array[] = [];
beforeAll(async () => {
  for (const name of ['epoch-module-fp16.pt', 'views.pt', 'nested-fp32.pt', 'evil-protocol4.pt']) {
    const source = memorySource(fixtureBytes(name));
    const { entries } = await readZipDirectory(source);
    const entry = [...entries.values()].find((e) => e.name.endsWith('/data.pkl'))!;
    pickles.push(await source.read(await zipEntryDataOffset(source, entry), entry.size, 'pkl'));
  }
});

/** Unpickles and flattens, then checks every tensor's view against its storage. */
function load(bytes: Uint8Array) {
  const { root } = unpickleTorch(bytes, 'fuzz.pkl');
  const { tensors } = flattenTensors(root, 'fuzz.pkl', bytes.length);
  for (const ref of tensors.values()) {
    const numel = ref.shape.reduce((a, b) => a * b, 1);
    let last = ref.offset;
    ref.shape.forEach((size, i) => (last += (size - 1) * ref.strides[i]!));
    expect(numel).toBeLessThanOrEqual(Math.max(ref.storage.numel, 1));
    if (numel > 0) expect(last).toBeLessThan(ref.storage.numel);
  }
  return tensors.size;
}

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));
const GLOBALS = [
  ...ALLOWED_GLOBALS,
  'posix.system',
  'os.system',
  'builtins.eval',
  'builtins.getattr',
  'subprocess.Popen',
  'torch.storage._load_from_bytes',
  'torch.ComplexFloatStorage',
  'numpy.core.multiarray._reconstruct',
];

/** One opcode with well-formed arguments; a sequence of them is a random but plausible pickle. */
const opcode: fc.Arbitrary<number[]> = fc.oneof(
  fc.constantFrom(
    ...[
      0x4e, 0x88, 0x89, 0x29, 0x5d, 0x7d, 0x8f, 0x28, 0x74, 0x6c, 0x64, 0x61, 0x65, 0x73, 0x75,
      0x90, 0x91, 0x85, 0x86, 0x87, 0x52, 0x81, 0x62, 0x51, 0x30, 0x31, 0x32, 0x94, 0x93, 0x69,
      0x6f, 0x2e,
    ].map((op) => [op]),
  ),
  fc.integer({ min: 0, max: 255 }).map((n) => [0x4b, n]), // BININT1
  fc.integer({ min: 0, max: 9 }).map((n) => [0x71, n]), // BINPUT
  fc.integer({ min: 0, max: 9 }).map((n) => [0x68, n]), // BINGET
  fc.integer().map((n) => [0x4a, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24]),
  fc.uint8Array({ maxLength: 12 }).map((b) => [0x8a, b.length, ...b]), // LONG1
  fc.string({ maxLength: 12 }).map((s) => {
    const b = new TextEncoder().encode(s);
    return [0x8c, b.length, ...b]; // SHORT_BINUNICODE
  }),
  fc
    .constantFrom('storage', '0', 'cpu', 'latin1', 'f8', '1')
    .map((s) => [0x8c, s.length, ...ascii(s)]),
  fc.constantFrom(...GLOBALS).map((g) => {
    const dot = g.lastIndexOf('.');
    return [0x63, ...ascii(`${g.slice(0, dot)}\n${g.slice(dot + 1)}\n`)]; // GLOBAL
  }),
  fc.uint8Array({ maxLength: 8 }).map((b) => [0x43, b.length, ...b]), // SHORT_BINBYTES
  fc.integer({ min: 0, max: 255 }).map((n) => [n]), // anything at all
);

describe('fuzzing the allow-listed unpickler', () => {
  it(`${FUZZ_RUNS} mutated torch.save pickles: only ClapErrors escape, tensors stay inside their storages`, async () => {
    const outcomes = new Outcomes();
    await fc.assert(
      fc.asyncProperty(mutationArbitrary(pickles.length), async (mutation) => {
        const bytes = mutate(pickles[mutation.seed]!, mutation, 256);
        await outcomes.run(() => load(bytes));
      }),
      { numRuns: FUZZ_RUNS, seed: FUZZ_SEED },
    );
    expect(outcomes.total).toBe(FUZZ_RUNS);
    expect(outcomes.ok).toBeGreaterThan(FUZZ_RUNS / 100);
    expect(outcomes.codes.get('PICKLE_FORMAT')).toBeGreaterThan(FUZZ_RUNS / 100);
  });

  it(`${FUZZ_RUNS} generated opcode programs: only ClapErrors escape; refused globals never come back`, async () => {
    const outcomes = new Outcomes();
    await fc.assert(
      fc.asyncProperty(fc.array(opcode, { maxLength: 40 }), fc.boolean(), async (ops, proto) => {
        const bytes = new Uint8Array([...(proto ? [0x80, 4] : []), ...ops.flat(), 0x2e]);
        await outcomes.run(() => load(bytes));
      }),
      { numRuns: FUZZ_RUNS, seed: FUZZ_SEED },
    );
    expect(outcomes.total).toBe(FUZZ_RUNS);
    expect(outcomes.codes.get('PICKLE_GLOBAL_REFUSED')).toBeGreaterThan(0);
  });

  it('refuses a global even when the program would fail later, before using it', () => {
    const system = [0x63, ...ascii('posix\nsystem\n')];
    const bytes = new Uint8Array([0x80, 2, ...system, 0x8c, 4, ...ascii('echo'), 0x85, 0x52, 0x2e]);
    expect(() => unpickleTorch(bytes, 'evil.pkl')).toThrow(
      expect.objectContaining({ code: 'PICKLE_GLOBAL_REFUSED' }),
    );
    // A pickle that shares one dict at every level cannot explode while being flattened.
    const bomb = [0x80, 2, 0x7d, 0x71, 0];
    for (let level = 0; level < 30; level++) {
      // POP the last dict; {'a': memo[0], 'b': memo[0]}; memo[0] = it. 2^30 paths, 300 bytes.
      bomb.push(0x30, 0x7d, 0x28, 0x8c, 1, 0x61, 0x68, 0, 0x8c, 1, 0x62, 0x68, 0, 0x75, 0x71, 0);
    }
    bomb.push(0x2e);
    expect(() => load(new Uint8Array(bomb))).toThrow(
      expect.objectContaining({ code: 'TORCH_FORMAT' }),
    );
  });
});
