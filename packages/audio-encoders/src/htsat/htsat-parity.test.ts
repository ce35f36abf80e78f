import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@clapjs/core';
import { TEST_BACKENDS, useTestBackend } from '@clapjs/test-backends';
import { describe, expect, it } from 'vitest';
import { expectRelativelyClose } from '../test-support.js';
import type { HtsatConfigInput } from './config.js';
import { HtsatAudioEncoder } from './encoder.js';
import { htsatHfNames, htsatLaionNames } from './names.js';
import { floats, importWeights, type StateDict } from './test-weights.js';

// Made by scripts/make-htsat-fixture.py: LAION-CLAP's HTSAT in PyTorch, a tiny config, random
// weights, saved under LAION's and Hugging Face's state_dict names. HTSAT_FIXTURE=FILE runs the
// same checks on a full-size fixture the script writes with --preset (a one-off, not in CI).
interface Fixture {
  config: HtsatConfigInput;
  melBins: number;
  inputShape: [number, number, number, number];
  input: string;
  laion: StateDict;
  hf?: StateDict;
  embedding: string;
  fullFramesEmbedding: string;
  stages: { shape: number[]; data: string }[];
  trainEmbedding: string;
  runningAfterTrain: Record<string, string>;
  gradients: Record<string, string>;
}

const fixture = JSON.parse(
  readFileSync(
    process.env['HTSAT_FIXTURE'] ?? new URL('../../fixtures/htsat-tiny.json', import.meta.url),
    'utf8',
  ),
) as Fixture;

function build(
  naming: 'laion' | 'hf',
  config: HtsatConfigInput = fixture.config,
): HtsatAudioEncoder {
  const encoder = new HtsatAudioEncoder(config, { melBins: fixture.melBins, rng: new Rng(0) });
  const map =
    naming === 'laion'
      ? htsatLaionNames(config, fixture.melBins)
      : htsatHfNames(config, fixture.melBins);
  expect(importWeights(encoder, fixture[naming]!, map)).toEqual([]);
  return encoder;
}

/** The clip of exactly specSize × freqRatio frames the generator builds: x[0], x[1], x[0], … cut to length. */
function fullFramesInput(x: tf.Tensor4D, frames: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [, length, mels] = x.shape;
    const parts: tf.Tensor[] = [];
    for (let total = 0, i = 0; total < frames; i++) {
      const take = Math.min(length, frames - total);
      parts.push(tf.slice(x, [i % 2, 0, 0, 0], [1, take, mels, 1]));
      total += take;
    }
    return tf.concat(parts, 1) as tf.Tensor4D;
  });
}

describe('htsat: PyTorch parity (LAION-CLAP HTSAT, tiny non-default config)', () => {
  it.each(TEST_BACKENDS)(
    'LAION weights give PyTorch’s latent, patch embedding and stage outputs on %s',
    async (backend) => {
      await useTestBackend(backend);
      const encoder = build('laion');
      const x = tf.tensor4d(floats(fixture.input), fixture.inputShape);
      const out = encoder.forward(x, { training: false }, { trace: true });
      expectRelativelyClose(await out.embedding.data(), floats(fixture.embedding));
      for (const [i, stage] of fixture.stages.entries()) {
        const first = tf.slice(out.stages![i]!, [0, 0, 0], [1, -1, -1]);
        expect(first.shape.slice(1)).toEqual(stage.shape);
        expectRelativelyClose(await first.data(), floats(stage.data));
        first.dispose();
      }
      const full = fullFramesInput(x, encoder.plan.frames);
      const fullOut = encoder.encode(full, { training: false });
      expectRelativelyClose(await fullOut.data(), floats(fixture.fullFramesEmbedding));
      tf.dispose([x, full, fullOut, out.embedding, ...out.stages!]);
      encoder.dispose();
    },
  );

  it.runIf(fixture.hf)(
    'Hugging Face names (separate query/key/value) load the same model on wasm',
    async () => {
      await useTestBackend('wasm');
      const encoder = build('hf');
      const x = tf.tensor4d(floats(fixture.input), fixture.inputShape);
      const y = encoder.encode(x, { training: false });
      expectRelativelyClose(await y.data(), floats(fixture.embedding));
      tf.dispose([x, y]);
      encoder.dispose();
    },
  );

  it('training mode (bn0 batch statistics) gives PyTorch’s latent and moving statistics on wasm+pack', async () => {
    await useTestBackend('wasm+pack');
    const encoder = build('laion', { ...fixture.config, dropPath: 0 });
    const x = tf.tensor4d(floats(fixture.input), fixture.inputShape);
    const y = encoder.encode(x, { training: true });
    expectRelativelyClose(await y.data(), floats(fixture.trainEmbedding));
    const variables = new Map(encoder.variables().map((v) => [v.path, v.variable]));
    for (const [key, data] of Object.entries(fixture.runningAfterTrain)) {
      const path = key.replace('audio_branch.', '').replaceAll('.', '/');
      expectRelativelyClose(await variables.get(path)!.data(), floats(data));
    }
    tf.dispose([x, y]);
    encoder.dispose();
  });

  it('a training step’s gradients of sum(latent²) match PyTorch’s on wasm+pack', async () => {
    await useTestBackend('wasm+pack');
    const config = { ...fixture.config, dropPath: 0 };
    const encoder = build('laion', config);
    const x = tf.tensor4d(floats(fixture.input), fixture.inputShape);
    const byName = new Map(htsatLaionNames(config, fixture.melBins).map((e) => [e.names[0], e]));
    const variables = new Map(encoder.variables().map((v) => [v.path, v.variable]));
    const entries = Object.keys(fixture.gradients).map((name) => byName.get(name)!);
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.square(encoder.encode(x, { training: true }))),
      entries.map((e) => variables.get(e.path)!),
    );
    for (const entry of entries) {
      const ours = tf.tidy(() => {
        const g = grads[variables.get(entry.path)!.name]!;
        // Back to PyTorch's layout to compare with its .grad.
        if (entry.transform === 'oihw-to-hwio') return tf.transpose(g, [3, 2, 0, 1]);
        return entry.transform === 'transpose' ? tf.transpose(g) : tf.clone(g);
      });
      expectRelativelyClose(await ours.data(), floats(fixture.gradients[entry.names[0]!]!));
      ours.dispose();
    }
    tf.dispose([x, value, ...Object.values(grads)]);
    encoder.dispose();
  });
});
