import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importCheckpoint, openCheckpoint } from '@clapjs/checkpoints';
import { create, register } from '@clapjs/core';
import { lossPlugins } from '@clapjs/losses';
import { ClapModel, fromTheirLayout, msclapNameMap, readSafetensors } from '@clapjs/model';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from '../src/backend.js';
import { parseTrainConfig, runTraining } from '../src/index.js';
import { tempDir } from './helpers.js';

// packages/checkpoints/fixtures/msclap/make-msclap-2022.py: the tiny msclap 2022 fixture and
// PyTorch's first training step on its two clips and captions (dropout 0, everything trainable,
// BatchNorm on batch statistics): the loss and every parameter's gradient.
const FIXTURES = fileURLToPath(
  new URL('../../../packages/checkpoints/fixtures/msclap/', import.meta.url),
);
const TINY = join(FIXTURES, 'msclap-2022-tiny.pth');
const reference = JSON.parse(readFileSync(join(FIXTURES, 'msclap-2022-tiny.json'), 'utf8')) as {
  captions: string[];
};
const HEADS = 'textEncoder.heads=2';
const NO_DROPOUT = [
  'audioEncoder.dropout=0',
  'audioEncoder.blockDropout=0',
  'textEncoder.dropout=0',
  'audioProjection.dropout=0',
  'textProjection.dropout=0',
];

async function imported(set: string[]): Promise<ClapModel> {
  const reader = await openCheckpoint(TINY);
  try {
    return (await importCheckpoint(reader, { from: 'msclap-2022', set })).model;
  } finally {
    await reader.close();
  }
}

function relativeError(ours: ArrayLike<number>, want: ArrayLike<number>): number {
  let diff = 0;
  let peak = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(ours[i]! - want[i]!));
    peak = Math.max(peak, Math.abs(want[i]!));
  }
  return diff / peak;
}

describe('fine-tuning an imported msclap 2022 model (wasm + kernel pack)', () => {
  beforeAll(async () => {
    await chooseBackend('wasm', () => {});
  });

  it('first step matches PyTorch: same loss and gradients within 1e-4 relative', async () => {
    const model = await imported([HEADS, ...NO_DROPOUT]);
    const ref = readSafetensors(
      new Uint8Array(readFileSync(join(FIXTURES, 'msclap-2022-tiny-ref.safetensors'))),
    ).tensors;
    for (const plugin of lossPlugins) register(plugin);
    const loss = create('loss', { name: 'symmetric-clap' }, {});
    const logMel = ref.get('logmel')!;
    const trainable = model.variables().filter((v) => v.trainable);
    // As the trainer computes a step's gradients: model.forward in training mode, then the loss.
    const { value, grads } = tf.tidy(() =>
      tf.variableGrads(
        () =>
          loss.call(
            model.forward(
              tf.tensor4d(logMel.data, [2, 690, 64, 1]),
              model.tokenize(reference.captions),
              { training: true },
            ).logits,
          ),
        trainable.map((v) => v.variable),
      ),
    );
    expect(relativeError(value.dataSync(), ref.get('step.loss')!.data)).toBeLessThanOrEqual(1e-4);
    const byPath = new Map(trainable.map((v) => [v.path, v.variable]));
    const usedIds = Array.from(ref.get('step.used_ids')!.data);
    let compared = 0;
    let worst = 0;
    for (const entry of msclapNameMap(model.config)) {
      const want = ref.get(`grad.${entry.theirs}`);
      const variable = byPath.get(entry.ours);
      if (want === undefined || variable === undefined) continue;
      const ours = tf.tidy(() => {
        const g = grads[variable.name]!;
        return entry.ours.endsWith('embeddings/word') ? tf.gather(g, usedIds) : g;
      });
      const theirs = entry.ours.endsWith('embeddings/word')
        ? tf.tensor(want.data, [...want.shape])
        : fromTheirLayout(want.data, want.shape, entry.layout, variable.shape);
      const error = relativeError(ours.dataSync(), theirs.dataSync());
      if (entry.ours.endsWith('attention/key/bias')) {
        // ∂loss/∂(key bias) ≡ 0: it shifts every score of a query alike, and softmax ignores
        // that. PyTorch's value is rounding noise (~1e-8), so ours must be noise too.
        expect(Math.max(...Array.from(ours.dataSync(), Math.abs)), entry.ours).toBeLessThan(1e-6);
      } else {
        worst = Math.max(worst, error);
        expect(error, `${entry.ours} (${entry.theirs})`).toBeLessThanOrEqual(1e-4);
      }
      tf.dispose([ours, theirs]);
      compared += 1;
    }
    console.info(`first step vs PyTorch: ${compared} gradients, worst ${worst.toExponential(2)}`);
    // Every parameter PyTorch trains (the front end and the unused heads have no gradient).
    expect(compared).toBe([...ref.keys()].filter((k) => k.startsWith('grad.')).length);
    expect(compared).toBe(trainable.length);
    tf.dispose([value, ...Object.values(grads)]);
    model.dispose();
  });

  it('trains projections only with frozen encoders: loss falls, encoders and BatchNorm statistics bit-identical', async () => {
    const dir = tempDir();
    const init = join(dir, 'msclap');
    const start = await imported([HEADS]);
    await start.save(init);
    const loaded = {
      path: join(dir, 'config.yaml'),
      dir,
      config: parseTrainConfig({
        name: 'fine-tune',
        backend: 'wasm',
        init,
        // Inference mode: BatchNorm keeps its running statistics (the default, `train`, updates them).
        freeze: [
          { part: 'audioEncoder', mode: 'eval' },
          { part: 'textEncoder', mode: 'eval' },
        ],
        data: {
          // One batch of eight training clips, seen every step.
          dataset: {
            name: 'synth',
            size: 16,
            seed: 0,
            heldOut: 0,
            valFraction: 0.25,
            testFraction: 0.25,
          },
          batchSize: 8,
          prefetch: 1,
        },
        train: { steps: 16, lr: 0.02, warmupSteps: 1 },
        eval: { maxItems: 4 },
      }),
    };
    const lines: string[] = [];
    const result = await runTraining(loaded, {
      out: join(dir, 'run'),
      progress: false,
      log: (line) => lines.push(line),
    });
    expect(lines.join('\n')).toMatch(
      /frozen: audioEncoder \(eval mode\); textEncoder \(eval mode\)/,
    );
    const losses = result.losses;
    console.info(`fine-tune losses: ${losses.map((l) => l.toFixed(3)).join(' ')}`);
    const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-3))).toBeLessThan(mean(losses.slice(0, 3)));
    const trained = await ClapModel.load(join(dir, 'run', 'model'));
    const after = new Map(trained.variables().map((v) => [v.path, v.variable.dataSync()]));
    let frozen = 0;
    let moved = 0;
    for (const v of start.variables()) {
      const before = v.variable.dataSync();
      const now = after.get(v.path)!;
      const same = before.every((x, i) => Object.is(x, now[i]));
      if (v.path.startsWith('audioEncoder/') || v.path.startsWith('textEncoder/')) {
        expect(same, v.path).toBe(true);
        frozen += 1;
      } else if (!same) moved += 1;
    }
    // running_mean / running_var included: 13 BatchNorms × 2 statistics.
    expect(frozen).toBeGreaterThan(26);
    expect(moved).toBeGreaterThan(0);
    start.dispose();
    trained.dispose();
  });
});
