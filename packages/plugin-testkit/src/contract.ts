import * as tf from '@tensorflow/tfjs-core';
import { ClapError, Rng } from '@clapjs/core';
import type { AnyPlugin, NamedVariable } from '@clapjs/core';
import type { ClapModel } from '@clapjs/model';
import type { ClapModelConfigInput, PartSlot } from '@clapjs/model';

/** What {@link checkPluginContract} is told besides the plugin. */
export interface PluginContractOptions {
  /** The part's config without `name` (default `{}`: the plugin's defaults). */
  readonly config?: Record<string, unknown>;
  /** The rest of the model the part is built into (default: a small model of built-in parts). */
  readonly model?: ClapModelConfigInput;
  /** Seeds the model (default 1). */
  readonly seed?: number;
  /** How many repeated calls the leak check makes (default 3). */
  readonly repeats?: number;
}

/** The outcome of one check. */
export interface ContractCheck {
  readonly name: string;
  readonly ok: boolean;
  /** What was found (on failure: what was expected and what came). */
  readonly detail: string;
}

/** A plugin failed its contract checks; the message lists each failure. Code: `PLUGIN_CONTRACT`. */
export class PluginContractError extends ClapError {
  readonly failures: readonly ContractCheck[];

  constructor(label: string, failures: readonly ContractCheck[]) {
    super(
      'PLUGIN_CONTRACT',
      `${label} fails its contract: ${failures.map((f) => `${f.name}: ${f.detail.replace(/\.+$/, '')}`).join('; ')}.`,
    );
    this.failures = failures;
  }
}

/** A small, fast model of built-in parts that the part under test is put into. */
export const BASE_MODEL: ClapModelConfigInput = {
  audio: { preset: 'fast', clipSeconds: 0.5, nMels: 32 },
  audioEncoder: { name: 'cnn-small', channels: [4, 8], outputDim: 16 },
  textEncoder: { name: 'transformer', layers: 1, width: 16, heads: 2, dropout: 0 },
  tokenizer: { name: 'word', maxLength: 8 },
  audioProjection: { name: 'linear', dim: 8 },
  textProjection: { name: 'linear', dim: 8 },
  similarity: { name: 'cosine' },
};

/** Captions the word tokenizer of the base model is fitted on (and the text probe). */
export const CAPTIONS = ['a dog barks', 'rain on a roof', 'a piano chord'];
/** The model slots a part of each kind fills. */
export const SLOTS: Partial<Record<AnyPlugin['kind'], readonly PartSlot[]>> = {
  'audio-encoder': ['audioEncoder'],
  'text-encoder': ['textEncoder'],
  projection: ['audioProjection', 'textProjection'],
  similarity: ['similarity'],
};

/** The probe batch (3 items) and how to run the part under test on it. */
export interface Probe {
  readonly run: (model: ClapModel, training: boolean) => tf.Tensor;
  readonly shape: (model: ClapModel) => number[];
  readonly dispose: () => void;
}

/** The probe batch for a kind of part, made once per check run. */
export function probeFor(kind: AnyPlugin['kind'], model: ClapModel, seed: number): Probe {
  const rng = new Rng(seed);
  const noise = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  const on = { training: false };
  if (kind === 'audio-encoder') {
    const samples = Math.round(model.frontEnd.config.sampleRate * 0.5);
    const logMel = model.logMelBatch([0, 1, 2].map(() => noise(samples)));
    return {
      run: (m, training) => m.audioEncoder.encode(logMel, { ...on, training }),
      shape: (m) => [3, m.audioEncoder.outputDim],
      dispose: () => logMel.dispose(),
    };
  }
  if (kind === 'text-encoder') {
    const tokens = model.tokenize(CAPTIONS);
    return {
      run: (m, training) => m.textEncoder.encode(tokens, { ...on, training }),
      shape: (m) => [3, m.textEncoder.outputDim],
      dispose: () => tf.dispose([tokens.ids, tokens.mask]),
    };
  }
  if (kind === 'projection') {
    const dim = model.audioEncoder.outputDim;
    const x = tf.tensor2d(noise(3 * dim), [3, dim]);
    return {
      run: (m, training) => m.audioProjection.call(x, { ...on, training }),
      shape: (m) => [3, m.audioProjection.outputDim],
      dispose: () => x.dispose(),
    };
  }
  const dim = model.audioProjection.outputDim;
  const text = tf.tensor2d(noise(3 * dim), [3, dim]);
  const audio = tf.tensor2d(noise(4 * dim), [4, dim]);
  return {
    run: (m) => m.similarity.call(text, audio),
    shape: () => [3, 4],
    dispose: () => tf.dispose([text, audio]),
  };
}

/** The weights of the slots under test. */
export const slotVariables = (model: ClapModel, slots: readonly PartSlot[]): NamedVariable[] =>
  model.variables().filter((v) => slots.some((s) => v.path.startsWith(`${s}/`)));

/** max |a − b|, read asynchronously. */
export async function maxDifference(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const [value] = await d.data();
  d.dispose();
  return value ?? Number.NaN;
}
