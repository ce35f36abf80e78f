// Helpers shared by the htsat parity tests (not exported from the package entry): reading the
// generator scripts' fixtures and loading a state_dict through a name map, as an importer does.
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { HtsatAudioEncoder } from './encoder.js';
import { HTSAT_UNUSED_KEYS, type HtsatNameMapEntry } from './names.js';

/** A state_dict as the generators write it: shapes, and base64 float32 data (null for buffers clapjs recomputes). */
export type StateDict = Record<string, { shape: number[]; data: string | null }>;

/** Decodes a base64 float32 array. */
export function floats(b64: string): Float32Array {
  const bytes = Buffer.from(b64, 'base64');
  return new Float32Array(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  );
}

/** Loads a state_dict through a name map into the encoder; returns the keys it left unused. */
export function importWeights(
  encoder: HtsatAudioEncoder,
  state: StateDict,
  map: HtsatNameMapEntry[],
): string[] {
  const variables = new Map(encoder.variables().map((v) => [v.path, v.variable]));
  expect(map.map((e) => e.path).sort()).toEqual([...variables.keys()].sort());
  const used = new Set<string>();
  for (const entry of map) {
    tf.tidy(() => {
      const parts = entry.names.map((name, i) => {
        const source = state[name];
        expect(source?.data, name).toBeTruthy();
        expect(source!.shape, name).toEqual(entry.upstreamShapes[i]);
        used.add(name);
        return tf.tensor(floats(source!.data!), source!.shape);
      });
      let t = parts.length > 1 ? tf.concat(parts, 0) : (parts[0] as tf.Tensor);
      if (entry.transform === 'oihw-to-hwio') t = tf.transpose(t, [2, 3, 1, 0]);
      if (entry.transform === 'transpose') t = tf.transpose(t);
      variables.get(entry.path)!.assign(t);
    });
  }
  return Object.keys(state).filter(
    (k) => !used.has(k) && !HTSAT_UNUSED_KEYS.some((re) => re.test(k)),
  );
}
