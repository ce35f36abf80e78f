import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@clapjs/core';
import { TEST_BACKENDS, useTestBackend } from '@clapjs/test-backends';
import { describe, expect, it } from 'vitest';
import { expectRelativelyClose } from '../test-support.js';
import type { HtsatConfigInput } from './config.js';
import { AudioEncoderInputError } from '../cnn-encoder.js';
import { HtsatAudioEncoder } from './encoder.js';
import { htsatHfNames, htsatLaionNames } from './names.js';
import { floats, importWeights, type StateDict } from './test-weights.js';

// Made by scripts/make-htsat-fusion-fixture.py: LAION-CLAP's fused HTSAT (aff_2d) in PyTorch, a
// tiny config, random weights, under LAION's and Hugging Face's names; the input is PyTorch's
// 4-channel fusion input for [a clip longer than the window (given crops), a short clip].
// HTSAT_FUSED_FIXTURE=FILE runs the same checks on the script's --full fixture (not in CI).
interface Fixture {
  config: HtsatConfigInput;
  melBins: number;
  input: { shape: [number, number, number, number]; data: string };
  laion: StateDict;
  hf?: StateDict;
  embedding: string;
  quirkEmbedding: string;
  trainEmbedding: string;
  gradients: Record<string, string>;
}

const fixture = JSON.parse(
  readFileSync(
    process.env['HTSAT_FUSED_FIXTURE'] ??
      new URL('../../fixtures/htsat-fused.json', import.meta.url),
    'utf8',
  ),
) as Fixture;

function build(naming: 'laion' | 'hf'): HtsatAudioEncoder {
  const { config, melBins } = fixture;
  const encoder = new HtsatAudioEncoder(config, { melBins, rng: new Rng(0) });
  const map = naming === 'laion' ? htsatLaionNames(config, melBins) : htsatHfNames(config, melBins);
  expect(importWeights(encoder, fixture[naming]!, map)).toEqual([]);
  return encoder;
}

const input = () => tf.tensor4d(floats(fixture.input.data), fixture.input.shape);

describe('htsat fusion: PyTorch parity (LAION-CLAP aff_2d, tiny non-default config)', () => {
  it.each(TEST_BACKENDS)(
    'a long clip (given crops, fused) and a short clip (not) give PyTorch’s latents on %s',
    async (backend) => {
      await useTestBackend(backend);
      const encoder = build('laion');
      const x = input();
      encoder.encode(x, { training: false }).dispose(); // builds the cached constants
      const before = tf.memory().numTensors;
      // Default flags: read from the input (the short clip's four channels are equal).
      const y = encoder.encode(x, { training: false });
      expectRelativelyClose(await y.data(), floats(fixture.embedding));
      const given = encoder.forward(x, { training: false }, { longer: [true, false] }).embedding;
      expectRelativelyClose(await given.data(), floats(fixture.embedding));
      tf.dispose([y, given]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose(x);
      encoder.dispose();
    },
  );

  it.runIf(fixture.hf)(
    'Hugging Face names load the same model; its is_longer quirk (a short clip marked longer) is reproduced with `longer` on wasm',
    async () => {
      await useTestBackend('wasm');
      const encoder = build('hf');
      const x = input();
      const y = encoder.encode(x, { training: false });
      expectRelativelyClose(await y.data(), floats(fixture.embedding));
      const short = tf.slice(x, [1, 0, 0, 0], [1, -1, -1, -1]);
      const quirk = encoder.forward(short, { training: false }, { longer: [true] }).embedding;
      expectRelativelyClose(await quirk.data(), floats(fixture.quirkEmbedding));
      // The same through the AudioEncoder contract (AudioCallOptions.longer), as ClapModel calls it.
      const viaEncode = encoder.encode(short, { training: false, longer: [true] });
      expectRelativelyClose(await viaEncode.data(), floats(fixture.quirkEmbedding));
      // Without the flag the short clip is not fused: a different latent, the batch's second row.
      const plain = encoder.encode(short, { training: false });
      expectRelativelyClose(await plain.data(), floats(fixture.embedding).slice(encoder.outputDim));
      tf.dispose([x, y, short, quirk, viaEncode, plain]);
      encoder.dispose();
    },
  );

  it('training mode (both clips marked longer: batch statistics) gives PyTorch’s latent and gradients (float64 reference) on wasm+pack', async () => {
    await useTestBackend('wasm+pack');
    const encoder = build('laion');
    const x = input();
    const byName = new Map(
      htsatLaionNames(fixture.config, fixture.melBins).map((e) => [e.names[0], e]),
    );
    const variables = new Map(encoder.variables().map((v) => [v.path, v.variable]));
    const entries = Object.keys(fixture.gradients).map((name) => byName.get(name)!);
    let latent: Float32Array | undefined;
    const { value, grads } = tf.variableGrads(
      () => {
        const y = encoder.forward(x, { training: true }, { longer: [true, true] }).embedding;
        latent = y.dataSync() as Float32Array;
        return tf.sum(tf.square(y));
      },
      entries.map((e) => variables.get(e.path)!),
    );
    expectRelativelyClose(latent!, floats(fixture.trainEmbedding));
    for (const entry of entries) {
      const ours = tf.tidy(() => {
        const g = grads[variables.get(entry.path)!.name]!;
        if (entry.transform === 'oihw-to-hwio') return tf.transpose(g, [3, 2, 0, 1]);
        return entry.transform === 'transpose' ? tf.transpose(g) : tf.clone(g);
      });
      expectRelativelyClose(await ours.data(), floats(fixture.gradients[entry.names[0]!]!));
      ours.dispose();
    }
    tf.dispose([x, value, ...Object.values(grads)]);
    encoder.dispose();
  });

  it('refuses a 1-channel input, flags of the wrong count, and flags for an unfused encoder, naming the fix', async () => {
    await useTestBackend('cpu');
    const { config, melBins } = fixture;
    const encoder = new HtsatAudioEncoder(config, { melBins, rng: new Rng(0) });
    const plain = new HtsatAudioEncoder({ ...config, fusion: false }, { melBins, rng: new Rng(0) });
    expect(encoder.input).toBe('fusion');
    expect(plain.input).toBe('log-mel');
    const one = tf.zeros([1, 100, melBins, 1]) as tf.Tensor4D;
    const four = tf.zeros([1, 100, melBins, 4]) as tf.Tensor4D;
    const cases: [() => unknown, RegExp][] = [
      [() => encoder.encode(one, { training: false }), /\[batch, frames, \d+, 4\].*fusionLogMel/],
      [
        () => encoder.forward(four, { training: false }, { longer: [true, false] }),
        /2 `longer` flags for a batch of 1/,
      ],
      [() => plain.forward(one, { training: false }, { longer: [true] }), /without fusion/],
    ];
    for (const [call, message] of cases) {
      expect(call).toThrow(AudioEncoderInputError);
      expect(call).toThrow(message);
    }
    tf.dispose([one, four]);
    encoder.dispose();
    plain.dispose();
  });
});
