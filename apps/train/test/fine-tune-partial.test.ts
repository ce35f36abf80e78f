import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importCheckpoint, laionClap, openCheckpoint } from '@clapjs/checkpoints';
import { ConfigError, create, register } from '@clapjs/core';
import { lossPlugins } from '@clapjs/losses';
import { ClapModel, fromTheirLayout, theirShape, type FreezeEntry } from '@clapjs/model';
import { AdamOptimizer, Trainer, TRAINER_DEFAULTS, type Batch } from '@clapjs/trainer';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from '../src/backend.js';
import { parseTrainConfig, runTraining } from '../src/index.js';
import { fixtureLogMel } from './clap-fixture-clips.js';
import { relativeError, tempDir } from './helpers.js';

// packages/checkpoints/fixtures/clap/make-fine-tune-references.py: PyTorch's first training step
// (model.train(), dropout 0, frozen tensors with requires_grad = False) on the LAION-CLAP and
// Hugging Face fixtures' three clips and captions, with the encoders frozen, with the last Swin
// stage (+ final norm) unfrozen, and with a logit scale per direction.
const FIXTURES = fileURLToPath(
  new URL('../../../packages/checkpoints/fixtures/clap/', import.meta.url),
);
interface Case {
  fixture: 'laion-tiny' | 'hf-small';
  loss: number;
  gradients: Record<string, number[]>;
  noGradient: string[];
}
const reference = JSON.parse(readFileSync(join(FIXTURES, 'references-fine-tune.json'), 'utf8')) as {
  captions: string[];
  cropOffsetSeconds: number;
  cases: Record<string, Case>;
};

const FRONT_END = [
  'audio.sampleRate=8000',
  'audio.nFft=128',
  'audio.winLength=128',
  'audio.hopLength=80',
  'audio.nMels=16',
  'audio.fMax=4000',
  'audio.clipSeconds=2',
];
const NO_DROPOUT = [
  'textEncoder.dropout=0',
  'audioEncoder.dropPath=0',
  'audioEncoder.mlpDropout=0',
];

/** The freeze each reference case used, as a clapjs config says it. */
const FREEZE: Record<string, FreezeEntry[]> = {
  'frozen-encoders': ['audioEncoder', 'textEncoder'],
  'last-stage': [{ part: 'audioEncoder', except: ['layers.3', 'norm'] }, 'textEncoder'],
  'per-direction': [],
};

async function imported(fixture: Case['fixture']): Promise<ClapModel> {
  const laion = fixture === 'laion-tiny';
  const path = join(FIXTURES, laion ? 'laion-tiny.pt' : 'hf-small');
  const reader = await openCheckpoint(path);
  try {
    const options = laion
      ? {
          from: 'laion',
          set: [...FRONT_END, 'textEncoder.heads=2', ...NO_DROPOUT],
          tokenizer: FIXTURES,
        }
      : { from: 'hf', set: NO_DROPOUT, folder: path };
    return (await importCheckpoint(reader, { ...options, source: path })).model;
  } finally {
    await reader.close();
  }
}

/** The three clips as the reference fed them (repeat-pad, as is, cropped at the offset). */
const logMel = (model: ClapModel): Promise<tf.Tensor4D> =>
  fixtureLogMel(model, FIXTURES, reference.cropOffsetSeconds);

/** Our weight path → the upstream (LAION) name the references use. */
function upstreamNames(model: ClapModel): Map<string, { theirs: string; layout: never }> {
  return new Map(
    laionClap
      .nameMap(model.config)
      .filter((e) => typeof e.theirs === 'string')
      .map((e) => [e.ours, { theirs: e.theirs as string, layout: e.layout as never }]),
  );
}

describe('fine-tuning imported HTSAT + RoBERTa fixtures, partly frozen (wasm + kernel pack)', () => {
  beforeAll(async () => {
    await chooseBackend('wasm', () => {});
    for (const plugin of lossPlugins) register(plugin);
  });

  it.each(Object.keys(FREEZE))(
    '%s: the first step matches PyTorch (loss, gradients within 1e-4), frozen weights get none',
    async (name) => {
      const want = reference.cases[name]!;
      const model = await imported(want.fixture);
      model.freeze(FREEZE[name]!);
      const loss = create('loss', { name: 'symmetric-clap' }, {});
      const mel = await logMel(model);
      const trainable = model.variables().filter((v) => v.trainable);
      // As the trainer computes a step's gradients: model.forward in training mode, then the loss
      // on both readings (the second only for a per-direction similarity).
      const { value, grads } = tf.tidy(() =>
        tf.variableGrads(
          () => {
            const out = model.forward(mel, model.tokenize(reference.captions), { training: true });
            return loss.call(out.logits, out.audioToTextLogits);
          },
          trainable.map((v) => v.variable),
        ),
      );
      expect(relativeError([value.dataSync()[0]!], [want.loss])).toBeLessThanOrEqual(1e-4);
      const names = upstreamNames(model);
      // What trains here is exactly what PyTorch gave a gradient (frozen or unused, as LAION's
      // logit_scale_t, gets none).
      const noGradient = new Set(want.noGradient);
      for (const v of model.variables()) {
        const theirs = names.get(v.path)?.theirs;
        if (theirs === undefined || !/weight|bias|table|scale/.test(theirs)) continue;
        if (v.path.includes('running') || v.path.includes('moving')) continue;
        expect(v.trainable, `${v.path} (${theirs})`).toBe(!noGradient.has(theirs));
      }
      let worst = 0;
      const byTheirs = new Map([...names].map(([ours, e]) => [e.theirs, { ours, ...e }]));
      for (const [theirs, expected] of Object.entries(want.gradients)) {
        const entry = byTheirs.get(theirs)!;
        const variable = trainable.find((v) => v.path === entry.ours)!.variable;
        const ref = fromTheirLayout(
          Float32Array.from(expected),
          theirShape(variable.shape, entry.layout),
          entry.layout,
          variable.shape,
        );
        const ours = Array.from(grads[variable.name]!.dataSync());
        const theirsValues = Array.from(ref.dataSync());
        // A gradient near zero is a sum of terms that nearly cancel: hf-small's logit_scale_a
        // gets −6.8e-5 where logit_scale_t gets 1.7e-2 (PyTorch's own float32 and float64
        // differ by 6e-5 relative there), so float32 rounding anywhere upstream moves it by
        // ~1e-7. Below 1e-2 the error is taken against 1e-2: such a gradient is checked within
        // 1e-6 absolute.
        const peak = Math.max(...theirsValues.map(Math.abs));
        const error = relativeError(ours, theirsValues) * (peak / Math.max(peak, 1e-2));
        ref.dispose();
        worst = Math.max(worst, error);
        expect(error, `${entry.ours} (${theirs})`).toBeLessThanOrEqual(1e-4);
      }
      console.info(
        `${name}: loss ${value.dataSync()[0]} vs ${want.loss}, ${Object.keys(want.gradients).length} gradients, worst ${worst.toExponential(2)}, ${trainable.length} tensors train`,
      );
      tf.dispose([value, mel, ...Object.values(grads)]);
      model.dispose();
    },
  );

  it('the last Swin stage trains through the Trainer: loss falls, frozen weights bit-identical, numTensors constant', async () => {
    const model = await imported('laion-tiny');
    model.freeze(FREEZE['last-stage']!);
    const mel = await logMel(model);
    const [, frames, melBins] = mel.shape;
    const batch: Batch = {
      logMel: mel.dataSync() as Float32Array,
      frames,
      melBins,
      captions: reference.captions,
      ids: ['short', 'exact', 'long'],
      labels: [undefined, undefined, undefined],
    };
    mel.dispose();
    const frozen = model
      .variables()
      .filter((v) => !v.trainable && !/running|moving/.test(v.path))
      .map((v) => [v.path, v.variable.dataSync().slice()] as const);
    const none = {
      [Symbol.asyncIterator]: async function* () {},
      getState: () => 0,
      setState() {},
    };
    // Weight decay on: a frozen weight that the optimizer touched would shrink.
    const trainer = new Trainer(model, none, {
      steps: 8,
      lr: 0.01,
      warmupSteps: 0,
      optimizer: { weightDecay: 0.1 },
      loss: create('loss', { name: 'symmetric-clap' }, {}),
    });
    const losses: number[] = [];
    let tensors = 0;
    for (let step = 0; step < 8; step++) {
      losses.push(await trainer.trainStep(batch));
      if (step === 1) tensors = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]!);
    const now = new Map(model.variables().map((v) => [v.path, v.variable.dataSync()]));
    for (const [path, before] of frozen) expect(now.get(path), path).toEqual(before);
    // The optimizer keeps moments for the trainable weights only.
    const optimizer = new AdamOptimizer(model.variables(), TRAINER_DEFAULTS.optimizer);
    expect(optimizer.variables.every((v) => v.trainable)).toBe(true);
    expect(optimizer.variables.some((v) => v.path.startsWith('audioEncoder/layers/3/'))).toBe(true);
    optimizer.dispose();
    console.info(`last-stage losses: ${losses.map((l) => l.toFixed(4)).join(' ')}`);
    trainer.dispose();
    model.dispose();
  });

  it('clapjs train: a partly frozen run resumed from its checkpoint keeps the freeze (losses equal a straight run, frozen weights bit-identical)', async () => {
    const dir = tempDir();
    const init = join(dir, 'laion-tiny');
    const start = await imported('laion-tiny');
    await start.save(init);
    const config = (freeze: unknown) => ({
      path: join(dir, 'config.yaml'),
      dir,
      config: parseTrainConfig({
        name: 'partial',
        backend: 'wasm',
        init,
        freeze,
        data: {
          dataset: {
            name: 'synth',
            size: 16,
            seed: 0,
            heldOut: 0,
            valFraction: 0.25,
            testFraction: 0.25,
          },
          batchSize: 4,
          prefetch: 1,
        },
        train: { steps: 4, lr: 0.01, warmupSteps: 1, checkpointEvery: 2 },
        eval: { maxItems: 4 },
      }),
    });
    const loaded = config([{ part: 'audioEncoder', except: ['layers.3', 'norm'] }, 'textEncoder']);
    const lines: string[] = [];
    const quiet = { progress: false, log: (line: string) => lines.push(line) };
    const straight = await runTraining(loaded, { ...quiet, out: join(dir, 'straight') });
    const first = await runTraining(loaded, { ...quiet, out: join(dir, 'halves'), stopAt: 2 });
    const second = await runTraining(loaded, { ...quiet, out: join(dir, 'halves'), resume: true });
    expect(lines.join('\n')).toMatch(/frozen: audioEncoder except layers\.3, norm; textEncoder \(/);
    expect([...first.losses, ...second.losses]).toEqual(straight.losses);
    const trained = await ClapModel.load(join(dir, 'halves', 'model'));
    const after = new Map(trained.variables().map((v) => [v.path, v.variable.dataSync()]));
    let moved = 0;
    for (const v of start.variables()) {
      const same = v.variable.dataSync().every((x, i) => Object.is(x, after.get(v.path)![i]));
      const statistic = /running|moving/.test(v.path);
      const trains =
        /^audioEncoder\/(layers\/3|norm)\//.test(v.path) || !/^(audio|text)Encoder\//.test(v.path);
      if (!trains && !statistic) expect(same, v.path).toBe(true);
      if (trains && !same) moved += 1;
    }
    expect(moved).toBeGreaterThan(10);
    // A prefix that matches nothing: refused before training, naming the part's prefixes.
    const bad = runTraining(config([{ part: 'audioEncoder', except: ['layer.3'] }]), {
      ...quiet,
      out: join(dir, 'bad'),
    });
    await expect(bad).rejects.toThrow(ConfigError);
    await expect(bad).rejects.toThrow(
      /freeze audioEncoder except "layer\.3": no weight of audioEncoder has that prefix; its weights start with bn0, patch_embed/,
    );
    start.dispose();
    trained.dispose();
  });
});
