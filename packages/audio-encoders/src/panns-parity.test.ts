import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { CnnAudioEncoder } from './cnn-encoder.js';
import type { AudioEncoderConfig } from './config.js';
import { PANNS_IGNORED_KEYS, pannsNameMap } from './name-map.js';
import { expectRelativelyClose } from './test-support.js';
import { TEST_BACKENDS, useTestBackend } from '@clapjs/test-backends';

// Made by scripts/make-panns-fixtures.py: PANNs-layout PyTorch models with random weights.
interface Fixture {
  config: AudioEncoderConfig;
  melBins: number;
  inputShape: [number, number, number, number];
  input: string;
  stateDict: Record<string, { shape: number[]; data: string }>;
  embedding: string;
  clipwise: string;
  trainEmbedding: string;
  runningAfterTrain: Record<string, string>;
}

const floats = (b64: string) => {
  const bytes = Buffer.from(b64, 'base64');
  return new Float32Array(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  );
};

function load(name: string): Fixture {
  return JSON.parse(
    readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), 'utf8'),
  ) as Fixture;
}

/** Loads a PyTorch state_dict into an encoder through pannsNameMap, as @clapjs/model does. */
function importWeights(encoder: CnnAudioEncoder, fixture: Fixture): void {
  const variables = new Map(encoder.variables().map((v) => [v.path, v.variable]));
  const used = new Set<string>();
  for (const entry of pannsNameMap(fixture.config, fixture.melBins)) {
    const source = fixture.stateDict[entry.pannsName];
    expect(source, entry.pannsName).toBeDefined();
    expect(source!.shape, entry.pannsName).toEqual(entry.pannsShape);
    tf.tidy(() => {
      let t: tf.Tensor = tf.tensor(floats(source!.data), source!.shape);
      if (entry.transform === 'oihw-to-hwio') t = tf.transpose(t, [2, 3, 1, 0]);
      if (entry.transform === 'transpose') t = tf.transpose(t);
      variables.get(entry.path)!.assign(t);
    });
    used.add(entry.pannsName);
  }
  const unmapped = Object.keys(fixture.stateDict).filter(
    (k) => !used.has(k) && !PANNS_IGNORED_KEYS.some((re) => re.test(k)),
  );
  expect(unmapped).toEqual([]);
}

describe.each(['panns-cnn14-w1-64', 'panns-cnn6-w1-16'])('PyTorch parity: %s', (name) => {
  it.each(TEST_BACKENDS)(
    'PANNs weights give PyTorch’s embedding and clipwise output on %s',
    async (backend) => {
      await useTestBackend(backend);
      const fixture = load(name);
      const encoder = new CnnAudioEncoder(fixture.config, {
        melBins: fixture.melBins,
        rng: new Rng(0),
      });
      importWeights(encoder, fixture);
      const x = tf.tensor4d(floats(fixture.input), fixture.inputShape);
      const out = encoder.forward(x, { training: false });
      expectRelativelyClose(await out.embedding.data(), floats(fixture.embedding));
      expectRelativelyClose(await out.clipwise!.data(), floats(fixture.clipwise));
      tf.dispose([x, out.embedding, out.clipwise!]);
      encoder.dispose();
    },
  );

  it('training mode (batch statistics) gives PyTorch’s output and moving statistics on wasm', async () => {
    await useTestBackend('wasm');
    const fixture = load(name);
    // PyTorch's trunk here has no dropout; switch ours off to compare.
    const config = { ...fixture.config, dropout: 0, blockDropout: 0 } as AudioEncoderConfig;
    const encoder = new CnnAudioEncoder(config, { melBins: fixture.melBins, rng: new Rng(0) });
    importWeights(encoder, fixture);
    const x = tf.tensor4d(floats(fixture.input), fixture.inputShape);
    const y = encoder.encode(x, { training: true });
    expectRelativelyClose(await y.data(), floats(fixture.trainEmbedding));
    const byName = new Map(pannsNameMap(config, fixture.melBins).map((e) => [e.pannsName, e.path]));
    const variables = new Map(encoder.variables().map((v) => [v.path, v.variable]));
    for (const [key, data] of Object.entries(fixture.runningAfterTrain)) {
      expectRelativelyClose(await variables.get(byName.get(key)!)!.data(), floats(data));
    }
    tf.dispose([x, y]);
    encoder.dispose();
  });
});
