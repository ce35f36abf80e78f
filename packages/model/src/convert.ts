import * as tf from '@tensorflow/tfjs-core';
import type { NamedVariable } from '@clapjs/core';
import { WeightsError } from './errors.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';

/**
 * How a weight is laid out in the other framework relative to ours:
 * - `same`: identical element order (only the shape may differ, e.g. `[]` vs `[1]`);
 * - `linear`: PyTorch `nn.Linear.weight` `[out, in]` ↔ our dense kernel `[in, out]` (a transpose);
 * - `conv2d`: PyTorch `nn.Conv2d.weight` `[out, in, kh, kw]` ↔ our tfjs kernel `[kh, kw, in, out]`.
 */
export type TensorLayout = 'same' | 'linear' | 'conv2d';

/** One weight's name in the other framework, for one of our paths. */
export interface NameMapEntry {
  /** Our path, as listed by `model.variables()` (e.g. `audioEncoder/block1/conv1/kernel`). */
  readonly ours: string;
  /** The other framework's name (e.g. `conv_block1.conv1.weight`). */
  readonly theirs: string;
  readonly layout: TensorLayout;
}

/** A list of name correspondences; weights of ours that it does not list are left alone. */
export type NameMap = readonly NameMapEntry[];

/** The identity map: every variable under its own path, in its own layout. */
export function identityNameMap(variables: readonly NamedVariable[]): NameMap {
  return variables.map((v) => ({ ours: v.path, theirs: v.path, layout: 'same' as const }));
}

/**
 * Prefixes both sides of a map, e.g. to place a CNN14 map (`conv_block1.conv1.weight` ↔
 * `block1/conv1/kernel`) under `audio_encoder.base.` ↔ `audioEncoder/`.
 */
export function prefixNameMap(map: NameMap, oursPrefix: string, theirsPrefix: string): NameMap {
  return map.map((e) => ({
    ours: `${oursPrefix}${e.ours}`,
    theirs: `${theirsPrefix}${e.theirs}`,
    layout: e.layout,
  }));
}

// theirs → ours, and its inverse.
const TO_OURS: Record<Exclude<TensorLayout, 'same'>, number[]> = {
  linear: [1, 0],
  conv2d: [2, 3, 1, 0],
};
const TO_THEIRS: Record<Exclude<TensorLayout, 'same'>, number[]> = {
  linear: [1, 0],
  conv2d: [3, 2, 0, 1],
};

/** Our shape as the other framework lays it out (before any reshape to their exact shape). */
export function theirShape(shape: readonly number[], layout: TensorLayout): number[] {
  if (layout === 'same') return [...shape];
  if (layout === 'linear') return [shape[1]!, shape[0]!];
  return [shape[3]!, shape[2]!, shape[0]!, shape[1]!];
}

/**
 * Exports weights as a safetensors file, renamed and transposed by `nameMap` (default: our own
 * paths and layouts). Only the mapped weights are written.
 */
export function exportSafetensors(
  variables: readonly NamedVariable[],
  nameMap: NameMap = identityNameMap(variables),
  metadata: Record<string, string> = {},
): Uint8Array {
  const byPath = new Map(variables.map((v) => [v.path, v.variable]));
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const entry of nameMap) {
    const variable = byPath.get(entry.ours);
    if (variable === undefined) {
      throw new WeightsError(
        'WEIGHTS_MISSING',
        entry.ours,
        `The name map lists "${entry.ours}", which this model does not have.`,
      );
    }
    const data = tf.tidy(() => {
      let t: tf.Tensor = variable;
      if (entry.layout !== 'same') t = tf.transpose(t, TO_THEIRS[entry.layout]);
      return tf.cast(t, 'float32');
    });
    out.set(entry.theirs, {
      shape: theirShape(variable.shape, entry.layout),
      data: data.dataSync() as Float32Array,
    });
    data.dispose();
  }
  return writeSafetensors(out, metadata);
}

/**
 * A tensor of the other framework in our layout: `data` of shape `shape` (theirs), transposed by
 * `layout` and reshaped to `ours`. The caller disposes the result.
 */
export function fromTheirLayout(
  data: Float32Array,
  shape: readonly number[],
  layout: TensorLayout,
  ours: readonly number[],
): tf.Tensor {
  return tf.tidy(() => {
    const t = tf.tensor(data, [...shape], 'float32');
    const laid = layout === 'same' ? t : tf.transpose(t, TO_OURS[layout]);
    return tf.reshape(laid, [...ours]);
  });
}

/** What an import did. */
export interface ImportReport {
  /** Our paths that received a value. */
  readonly loaded: string[];
  /** Tensors in the file that no map entry used (e.g. PANNs' `fc_audioset.*`). */
  readonly unused: string[];
}

/**
 * Loads weights from a safetensors file into variables, renamed and transposed by `nameMap`
 * (default: our own paths). Every map entry must be in the file with a matching element count;
 * file tensors the map does not use are returned in `unused`, not loaded.
 * @throws WeightsError naming the missing or mis-shaped weight (nothing is assigned then)
 */
export function importSafetensors(
  variables: readonly NamedVariable[],
  bytes: Uint8Array,
  nameMap: NameMap = identityNameMap(variables),
  source = 'the safetensors file',
): ImportReport {
  const { tensors } = readSafetensors(bytes, source);
  const byPath = new Map(variables.map((v) => [v.path, v.variable]));
  const values = new Map<string, tf.Tensor>();
  try {
    for (const entry of nameMap) {
      const variable = byPath.get(entry.ours);
      if (variable === undefined) {
        throw new WeightsError(
          'WEIGHTS_UNEXPECTED',
          entry.ours,
          `The name map lists "${entry.ours}", which this model does not have; check the model config against the map.`,
        );
      }
      const tensor = tensors.get(entry.theirs);
      if (tensor === undefined) {
        throw new WeightsError(
          'WEIGHTS_MISSING',
          entry.ours,
          `${source} has no tensor "${entry.theirs}" (for our "${entry.ours}", shape [${variable.shape.join(', ')}]).`,
        );
      }
      const expected = theirShape(variable.shape, entry.layout);
      const sameCount = tensor.data.length === variable.size;
      const sameRank = entry.layout === 'same' || tensor.shape.length === expected.length;
      if (
        !sameCount ||
        !sameRank ||
        (entry.layout !== 'same' && !tf.util.arraysEqual([...tensor.shape], expected))
      ) {
        throw new WeightsError(
          'WEIGHTS_SHAPE_MISMATCH',
          entry.ours,
          `Tensor "${entry.theirs}" in ${source} has shape [${tensor.shape.join(', ')}], but our "${entry.ours}" [${variable.shape.join(', ')}] needs [${expected.join(', ')}] there. ` +
            'Check the model config (width, layers, dims) against the checkpoint.',
        );
      }
      values.set(
        entry.ours,
        fromTheirLayout(tensor.data, tensor.shape, entry.layout, variable.shape),
      );
    }
    for (const [path, value] of values) byPath.get(path)!.assign(value);
  } finally {
    for (const value of values.values()) value.dispose();
  }
  const used = new Set(nameMap.map((e) => e.theirs));
  return {
    loaded: [...values.keys()],
    unused: [...tensors.keys()].filter((name) => !used.has(name)),
  };
}
