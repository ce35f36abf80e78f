import * as tf from '@tensorflow/tfjs-core';
import { ClapError, ConfigError, create, Rng } from '@clapjs/core';
import { useTestBackend } from '@clapjs/test-backends';
import { describe, expect, it } from 'vitest';
import '../register.js';
import { bicubicMatrix } from './bicubic.js';
import { HTSAT_PRESETS, type HtsatConfigInput } from './config.js';
import { HtsatAudioEncoder } from './encoder.js';
import { htsatHfNames, htsatLaionNames } from './names.js';
import { htsatParameters, htsatPlan } from './plan.js';

const small: HtsatConfigInput = {
  name: 'htsat',
  specSize: 64,
  embedDim: 4,
  depths: [2, 2],
  heads: [1, 2],
};
const count = (config: HtsatConfigInput) =>
  htsatParameters(htsatPlan(config, 64))
    .filter((p) => p.trainable)
    .reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0);

describe('htsat plan', () => {
  it('tiny and base have HTS-AT’s sizes (parameter counts of the PyTorch module, without the AudioSet head)', () => {
    const tiny = htsatPlan(HTSAT_PRESETS.tiny, 64);
    expect(tiny.outputDim).toBe(768);
    expect(tiny.frames).toBe(1024);
    expect(tiny.stages.map((s) => [s.resolution, s.dim, s.heads])).toEqual([
      [64, 96, 4],
      [32, 192, 8],
      [16, 384, 16],
      [8, 768, 32],
    ]);
    // The last stage's 8×8 grid equals the window: no shift there (upstream's rule).
    expect(tiny.stages[3]!.blocks.map((b) => b.shift)).toEqual([0, 0]);
    expect(tiny.stages[0]!.blocks.map((b) => b.shift)).toEqual([0, 4]);
    expect(count(HTSAT_PRESETS.tiny)).toBe(27_534_488);
    expect(htsatPlan(HTSAT_PRESETS.base, 64).outputDim).toBe(1024);
    expect(count(HTSAT_PRESETS.base)).toBe(67_824_408);
  });

  it('both name maps cover every weight once, with upstream’s names', () => {
    const laion = htsatLaionNames(HTSAT_PRESETS.tiny, 64);
    const hf = htsatHfNames(HTSAT_PRESETS.tiny, 64);
    expect(laion).toHaveLength(htsatParameters(htsatPlan(HTSAT_PRESETS.tiny, 64)).length);
    const qkv = laion.find((e) => e.path === 'layers/0/blocks/1/attn/qkv/weight')!;
    expect(qkv).toMatchObject({
      names: ['audio_branch.layers.0.blocks.1.attn.qkv.weight'],
      transform: 'transpose',
      shape: [96, 288],
      upstreamShapes: [[288, 96]],
    });
    expect(hf.find((e) => e.path === qkv.path)).toMatchObject({
      names: ['query', 'key', 'value'].map(
        (p) => `audio_model.audio_encoder.layers.0.blocks.1.attention.self.${p}.weight`,
      ),
      upstreamShapes: [
        [96, 96],
        [96, 96],
        [96, 96],
      ],
    });
    expect(hf.find((e) => e.path === 'bn0/running_var')!.names).toEqual([
      'audio_model.audio_encoder.batch_norm.running_var',
    ]);
    expect(laion.find((e) => e.path === 'patch_embed/proj/weight')).toMatchObject({
      transform: 'oihw-to-hwio',
      upstreamShapes: [[96, 1, 4, 4]],
    });
    expect(laion.find((e) => e.path.endsWith('relative_position_bias_table'))).toMatchObject({
      transform: 'none',
      shape: [225, 4],
    });
    expect(new Set(hf.flatMap((e) => e.names)).size).toBe(hf.length + 2 * 2 * 12);
  });

  it('bad configs and inputs are typed errors that name the fix', async () => {
    expect(() => htsatPlan({ ...small, heads: [1] }, 16)).toThrow(/one head count per stage/);
    expect(() => htsatPlan(small, 24)).toThrow(ConfigError);
    expect(() => htsatPlan({ ...small, heads: [3, 2] }, 16)).toThrow(
      /heads 3 must divide stage 0's 4 channels/,
    );
    await useTestBackend('cpu');
    const encoder = new HtsatAudioEncoder(small, { melBins: 16, rng: new Rng(1) });
    const tooLong = tf.zeros([1, 257, 16, 1]) as tf.Tensor4D;
    expect(() => encoder.encode(tooLong, { training: false })).toThrow(/takes 2 to 256 frames/);
    const wrongBins = tf.zeros([1, 100, 8, 1]) as tf.Tensor4D;
    expect(() => encoder.encode(wrongBins, { training: false })).toThrow(ClapError);
    tf.dispose([tooLong, wrongBins]);
    encoder.dispose();
  });
});

describe('htsat encoder', () => {
  it('bicubic time resize is the identity at equal length and keeps the ends (align_corners)', () => {
    const same = bicubicMatrix(5, 5);
    for (let i = 0; i < 5; i++)
      for (let j = 0; j < 5; j++) expect(same[i * 5 + j]).toBeCloseTo(i === j ? 1 : 0, 6);
    const up = bicubicMatrix(3, 7);
    expect(up[0]).toBe(1);
    expect(up[6 * 3 + 2]).toBeCloseTo(1, 6);
    for (let i = 0; i < 7; i++)
      expect(up[i * 3]! + up[i * 3 + 1]! + up[i * 3 + 2]!).toBeCloseTo(1, 6);
  });

  it('is registered; memory stays flat; a training step reaches every trainable weight on wasm+pack', async () => {
    await useTestBackend('wasm+pack');
    const encoder = create(
      'audio-encoder',
      { ...small, dropPath: 0.2 },
      { melBins: 16, rng: new Rng(3) },
    );
    expect(encoder.outputDim).toBe(8);
    const x = tf.randomNormal([2, 90, 16, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    tf.dispose(encoder.encode(x, { training: false }));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) tf.dispose(encoder.encode(x, { training: false }));
    const trainable = encoder.variables().filter((v) => v.trainable);
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.square(encoder.encode(x, { training: true }))),
      trainable.map((v) => v.variable),
    );
    for (const v of trainable) {
      const g = grads[v.variable.name]!;
      expect(g.shape, v.path).toEqual(v.variable.shape);
      expect(
        tf.tidy(() => tf.any(tf.notEqual(g, 0)).dataSync()[0]),
        v.path,
      ).toBe(1);
    }
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    encoder.dispose();
  });

  it('drop path and MLP dropout are seeded: same seed, same masks; reseed moves onto another stream', async () => {
    await useTestBackend('cpu');
    const config = { ...small, dropPath: 0.5, mlpDropout: 0.3, depths: [4, 4] };
    const make = () => new HtsatAudioEncoder(config, { melBins: 16, rng: new Rng(9) });
    const [a, b, c] = [make(), make(), make()];
    c.reseed('worker-1');
    const x = tf.randomNormal([4, 50, 16, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
    const [ya, yb, yc] = [a, b, c].map((e) => e.encode(x, { training: true }));
    expect(Array.from(ya!.dataSync())).toEqual(Array.from(yb!.dataSync()));
    expect(Array.from(ya!.dataSync())).not.toEqual(Array.from(yc!.dataSync()));
    tf.dispose([x, ya!, yb!, yc!]);
    [a, b, c].forEach((e) => e.dispose());
  });
});
