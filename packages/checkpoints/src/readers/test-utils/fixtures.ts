import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { CheckpointReader } from '../reader.js';

/** The folder of the reader fixtures that fixtures/make-fixtures.py writes with PyTorch. */
export const FIXTURES = fileURLToPath(new URL('../../../fixtures/readers/', import.meta.url));

interface ExpectedTensor {
  dtype: string;
  shape: number[];
  values?: number[];
  sum?: number;
  sumAbs?: number;
  samples?: [number, number][];
}

/** What PyTorch says each fixture holds (fixtures/readers/expected.json). */
export const EXPECTED = JSON.parse(readFileSync(`${FIXTURES}expected.json`, 'utf8')) as {
  marker: string;
  files: Record<
    string,
    {
      tensors: Record<string, ExpectedTensor>;
      layout?: {
        fileBytes: number;
        directoryBytes: number;
        pickleBytes: number;
        storages: Record<string, { bytes: number; localHeader: number }>;
        wanted: Record<string, string>;
      };
    }
  >;
};

/**
 * Checks one tensor against PyTorch's record: dtype, shape, and its values (all of them, or
 * sums and samples). PyTorch's values are float64 of the stored values, so float32 reads match
 * exactly; fp64 tensors are compared after rounding to float32.
 */
export async function expectTensor(reader: CheckpointReader, name: string, want: ExpectedTensor) {
  const info = reader.info(name);
  expect({ name, dtype: info.dtype, shape: [...info.shape] }).toEqual({
    name,
    dtype: want.dtype,
    shape: want.shape,
  });
  const data = await reader.read(name);
  expect(data.length).toBe(want.shape.reduce((a, b) => a * b, 1));
  expect(data instanceof Float32Array).toBe(!/int|bool/.test(want.dtype));
  if (want.values !== undefined) {
    expect([...data], name).toEqual(want.values.map((v) => Math.fround(v)));
    return;
  }
  let sum = 0;
  let sumAbs = 0;
  for (const v of data) {
    sum += v;
    sumAbs += Math.abs(v);
  }
  expect(Math.abs(sum - want.sum!), name).toBeLessThanOrEqual(1e-9 * want.sumAbs! + 1e-12);
  expect(Math.abs(sumAbs - want.sumAbs!), name).toBeLessThanOrEqual(1e-9 * want.sumAbs! + 1e-12);
  for (const [i, v] of want.samples!) expect(data[i], `${name}[${i}]`).toBe(Math.fround(v));
}
