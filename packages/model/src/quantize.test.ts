import * as tf from '@tensorflow/tfjs-core';
import { Rng, selectBackend } from '@clapjs/core';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClapModel, MIN_QUANTIZED_SIZE } from './index.js';
import { encodeFloat16, encodeUint8, keepsFloat32 } from './quantize.js';
import { CAPTIONS, makeClips, tinyConfig } from './test-helpers.js';

/** tfjs's own dequantization of one weight (what ClapModel.load runs). */
function decode(bytes: Uint8Array, count: number, quantization: object): Float32Array {
  const tensors = tf.io.decodeWeights(bytes.slice().buffer, [
    { name: 'w', shape: [count], dtype: 'float32', quantization } as tf.io.WeightsManifestEntry,
  ]);
  const values = tensors.w!.dataSync() as Float32Array;
  tensors.w!.dispose();
  return values;
}

describe('weight quantization encoders (read back by tfjs)', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('float16 rounds to the nearest half float, ties to even, subnormals and ±0 included', () => {
    const exact = [
      0,
      -0,
      1,
      -2,
      0.5,
      65504,
      -65504,
      2 ** -14,
      2 ** -24,
      3 * 2 ** -24,
      1 + 2 ** -10,
    ];
    const rounded: [number, number][] = [
      [1 + 2 ** -11, 1], // tie → even mantissa
      [1 + 3 * 2 ** -11, 1 + 2 ** -9], // tie → even (up)
      [1 + 2 ** -11 + 2 ** -20, 1 + 2 ** -10], // above the tie
      [2 ** -25, 0], // tie at the smallest subnormal → 0
      [2 ** -25 + 2 ** -30, 2 ** -24],
      [65519, 65504],
      [1e-9, 0],
    ];
    const inputs = Float32Array.from([...exact, ...rounded.map(([x]) => x)]);
    const got = decode(encodeFloat16(inputs), inputs.length, { dtype: 'float16' });
    expect(Array.from(got)).toEqual([...exact, ...rounded.map(([, y]) => y)]);
    const values = new Rng(1).normalArray(10000).map((v) => v * 3);
    const back = decode(encodeFloat16(values), values.length, { dtype: 'float16' });
    values.forEach((v, i) =>
      expect(Math.abs(back[i]! - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 2 ** -25),
    );
  });

  it('uint8 is affine with 0 exact and an error of at most half a step', () => {
    const values = new Rng(2).normalArray(5000).map((v) => v + 0.7);
    values[17] = 0;
    const { bytes, scale, min } = encodeUint8(values);
    const back = decode(bytes, values.length, { dtype: 'uint8', scale, min });
    expect(back[17]).toBe(0);
    const range = Math.max(...values) - Math.min(0, ...values);
    expect(scale).toBeCloseTo(range / 255, 6);
    values.forEach((v, i) => expect(Math.abs(back[i]! - v)).toBeLessThanOrEqual(scale * 0.5001));
  });

  it('leaves small, int32 and float16-overflowing weights float32', () => {
    const big = new Float32Array(MIN_QUANTIZED_SIZE).fill(1);
    expect(keepsFloat32('float32', big, 'uint8')).toBeUndefined();
    expect(keepsFloat32('float32', big.subarray(1), 'uint8')).toMatch(/fewer than/);
    expect(keepsFloat32('int32', undefined, 'float16')).toBe('not float32');
    big[3] = 70000;
    expect(keepsFloat32('float32', big, 'float16')).toMatch(/float16's range/);
    expect(keepsFloat32('float32', big, 'uint8')).toBeUndefined();
  });
});

describe('saving a quantized model', () => {
  let root: string;
  let model: ClapModel;
  const clips = makeClips(3);
  const texts = ['a dog barks', 'rain on a roof', 'a piano chord'];
  const config = {
    ...tinyConfig(),
    audioEncoder: { name: 'cnn-small', channels: [16, 32], outputDim: 64 },
    textEncoder: { name: 'transformer', layers: 1, width: 64, heads: 2, dropout: 0 },
    audioProjection: { name: 'mlp', dim: 64 },
    textProjection: { name: 'mlp', dim: 64 },
  };
  const embed = (m: ClapModel) =>
    tf.tidy(() => [
      m.encodeAudio(clips).arraySync(),
      m.encodeText(texts).arraySync(),
    ]) as number[][][];

  beforeAll(async () => {
    await selectBackend('cpu');
    root = await mkdtemp(join(tmpdir(), 'clapjs-quantize-'));
    model = await ClapModel.create(config, { seed: 3, captions: CAPTIONS });
  });
  afterAll(async () => {
    model.dispose();
    await rm(root, { recursive: true, force: true });
  });

  // Bounds on the cosine between float32 and dequantized embeddings (rows are unit vectors).
  const BOUNDS = { float16: 0.99999, uint8: 0.999 } as const;

  for (const quantize of ['float16', 'uint8'] as const) {
    it(`${quantize}: loads through tfjs's dequantization, smaller, embeddings within the stated bound`, async () => {
      const plain = join(root, `plain-${quantize}`);
      const dir = join(root, quantize);
      await model.save(plain);
      await model.save(dir, { quantize });
      const manifest = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
      const specs = manifest.weightsManifest[0].weights as {
        name: string;
        shape: number[];
        quantization?: { dtype: string };
      }[];
      for (const spec of specs) {
        const size = spec.shape.reduce((a, b) => a * b, 1);
        expect(spec.quantization?.dtype, spec.name).toBe(
          size >= MIN_QUANTIZED_SIZE ? quantize : undefined,
        );
      }
      const quantizedBytes = (await stat(join(dir, 'weights.1-of-1.bin'))).size;
      const plainBytes = (await stat(join(plain, 'weights.1-of-1.bin'))).size;
      expect(quantizedBytes).toBeLessThan(plainBytes * (quantize === 'uint8' ? 0.4 : 0.6));

      const loaded = await ClapModel.load(dir);
      const before = tf.memory().numTensors;
      // Every quantized weight comes back close to, but not exactly, the original.
      const originals = new Map(model.variables().map((v) => [v.path, v.variable.dataSync()]));
      for (const { path, variable } of loaded.variables()) {
        const got = variable.dataSync();
        const ref = originals.get(path)!;
        const quantized = specs.find((s) => s.name === path)!.quantization !== undefined;
        let worst = 0;
        let scale = 0;
        for (let i = 0; i < ref.length; i++) {
          worst = Math.max(worst, Math.abs(got[i]! - ref[i]!));
          scale = Math.max(scale, Math.abs(ref[i]!));
        }
        if (quantized) {
          expect(worst, path).toBeGreaterThan(0);
          expect(worst / scale, path).toBeLessThan(quantize === 'uint8' ? 0.01 : 0.001);
        } else expect(worst, path).toBe(0);
      }
      const [audio, text] = embed(model);
      const [qAudio, qText] = embed(loaded);
      for (const [ref, got] of [
        [audio!, qAudio!],
        [text!, qText!],
      ]) {
        ref!.forEach((row, r) => {
          const cosine = row.reduce((sum, x, i) => sum + x * got![r]![i]!, 0);
          expect(cosine).toBeGreaterThan(BOUNDS[quantize]);
          expect(cosine).toBeLessThan(1 + 1e-6);
        });
      }
      expect(tf.memory().numTensors).toBe(before);
      loaded.dispose();
    });
  }

  it('refuses a quantization tfjs cannot read, naming the weight', async () => {
    const dir = join(root, 'bad-quantization');
    await model.save(dir, { quantize: 'float16' });
    const path = join(dir, 'model.json');
    const manifest = JSON.parse(await readFile(path, 'utf8'));
    const spec = manifest.weightsManifest[0].weights.find(
      (w: { quantization?: object }) => w.quantization !== undefined,
    );
    spec.quantization = { dtype: 'int4' };
    await writeFile(path, JSON.stringify(manifest));
    await expect(ClapModel.load(dir)).rejects.toThrow(
      new RegExp(`weight "${spec.name}" has quantization .*int4.*supported: float16, uint8`),
    );
  });
});
