import * as tf from '@tensorflow/tfjs-core';
import type { NamedVariable } from '@clapjs/core';
import { ModelFormatError, WeightsError } from './errors.js';

/** The file that lists the weights (tfjs's `weightsManifest` layout, in our own envelope). */
export const WEIGHTS_MANIFEST_FILE = 'model.json';

/** Shards stay under tfjs's default 4 MiB so browsers and CDNs cache them well. */
const SHARD_BYTES = 4 * 1024 * 1024;

/** The content of `model.json`. */
export interface WeightsManifest {
  readonly format: 'clapjs-weights';
  readonly formatVersion: 1;
  /** The plugin that built each part, with its package and version (for humans and bug reports). */
  readonly parts: Record<string, { name: string; origin: string; version: string }>;
  /** tfjs's own manifest: `tf.io.decodeWeights` reads each group's concatenated shards. */
  readonly weightsManifest: tf.io.WeightsManifestConfig;
}

/**
 * Encodes every variable (by path) in tfjs's binary weights format, split into shards.
 * @returns the manifest group and the shard files (name → bytes)
 */
export async function encodeVariables(
  variables: readonly NamedVariable[],
): Promise<{ manifest: tf.io.WeightsManifestConfig; files: Map<string, Uint8Array> }> {
  const { data, specs } = await tf.io.encodeWeights(
    variables.map((v) => ({ name: v.path, tensor: v.variable })),
  );
  const bytes = new Uint8Array(data as ArrayBuffer);
  const files = new Map<string, Uint8Array>();
  const paths: string[] = [];
  const count = Math.max(1, Math.ceil(bytes.byteLength / SHARD_BYTES));
  for (let i = 0; i < count; i++) {
    const name = `weights.${i + 1}-of-${count}.bin`;
    paths.push(name);
    files.set(
      name,
      bytes.slice(i * SHARD_BYTES, Math.min(bytes.byteLength, (i + 1) * SHARD_BYTES)),
    );
  }
  return { manifest: [{ paths, weights: specs }], files };
}

/** Concatenates a group's shards into one buffer. */
function concat(shards: readonly Uint8Array[]): ArrayBuffer {
  const total = shards.reduce((n, s) => n + s.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const shard of shards) {
    out.set(shard, offset);
    offset += shard.byteLength;
  }
  return out.buffer;
}

/**
 * Decodes the weights a manifest lists, reading shards through `read`.
 * @returns tensors by path (the caller disposes them)
 */
export async function decodeWeights(
  manifest: tf.io.WeightsManifestConfig,
  read: (file: string) => Promise<Uint8Array>,
): Promise<Map<string, tf.Tensor>> {
  const out = new Map<string, tf.Tensor>();
  for (const group of manifest) {
    const shards = await Promise.all(group.paths.map(read));
    const buffer = concat(shards);
    const expected = group.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
    if (buffer.byteLength !== expected) {
      throw new ModelFormatError(
        'MODEL_FORMAT',
        `The weight shards ${group.paths.join(', ')} hold ${buffer.byteLength} bytes but the manifest lists ${expected}; the files are truncated or from another save. Save the model again.`,
      );
    }
    for (const [name, tensor] of Object.entries(tf.io.decodeWeights(buffer, group.weights)))
      out.set(name, tensor);
  }
  return out;
}

/**
 * Copies loaded tensors into the model's variables after checking that every variable is present
 * with the same shape and dtype and that nothing is left over.
 * @throws WeightsError naming the first missing variable, mismatched shape or unexpected weight
 */
export function assignWeights(
  variables: readonly NamedVariable[],
  loaded: ReadonlyMap<string, tf.Tensor>,
  source: string,
): void {
  const ours = new Set(variables.map((v) => v.path));
  const extra = [...loaded.keys()].filter((name) => !ours.has(name));
  for (const { path, variable } of variables) {
    const tensor = loaded.get(path);
    if (tensor === undefined) {
      throw new WeightsError(
        'WEIGHTS_MISSING',
        path,
        `${source} has no weight "${path}" (shape [${variable.shape.join(', ')}]), which this model needs. ` +
          `The saved config does not match these weights, or the file was saved by a different version of a plugin.`,
      );
    }
    if (!tf.util.arraysEqual(tensor.shape, variable.shape)) {
      throw new WeightsError(
        'WEIGHTS_SHAPE_MISMATCH',
        path,
        `Weight "${path}" in ${source} has shape [${tensor.shape.join(', ')}], but the model expects [${variable.shape.join(', ')}]. ` +
          `Check the config that built the model (widths, dims, vocabulary size).`,
      );
    }
    if (tensor.dtype !== variable.dtype) {
      throw new WeightsError(
        'WEIGHTS_DTYPE_MISMATCH',
        path,
        `Weight "${path}" in ${source} is ${tensor.dtype}, expected ${variable.dtype}.`,
      );
    }
  }
  if (extra.length > 0) {
    throw new WeightsError(
      'WEIGHTS_UNEXPECTED',
      extra[0]!,
      `${source} holds ${extra.length} weight(s) this model does not have: ${extra.slice(0, 10).join(', ')}${extra.length > 10 ? ', …' : ''}. ` +
        `The config does not match the weights (another encoder, more layers?).`,
    );
  }
  for (const { path, variable } of variables) variable.assign(loaded.get(path)!);
}
