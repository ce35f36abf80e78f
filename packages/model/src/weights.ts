import * as tf from '@tensorflow/tfjs-core';
import type { NamedVariable } from '@clapjs/core';
import { ModelFormatError, WeightsError } from './errors.js';
import { isModelFileName, type ModelFileReader } from './io.js';
import { encodeFloat16, encodeUint8, keepsFloat32, type WeightQuantization } from './quantize.js';

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

/** The dtypes a saved model's weights may have (4 bytes each). */
const SAVED_DTYPES = new Set(['float32', 'int32']);

/** Bytes per value of each quantized storage tfjs's decodeWeights reads. */
const QUANTIZED_BYTES: Readonly<Record<string, number>> = { float16: 2, uint8: 1, uint16: 2 };

/** The most weight bytes one manifest group may list (2 GiB, beyond any CLAP model). */
const MAX_GROUP_BYTES = 2 ** 31;

/**
 * The path of the first variable holding NaN or ±Infinity, or undefined when all are finite.
 * A diverged training run shows up here; clapjs never saves or loads such weights as a model.
 */
export async function firstNonFiniteWeight(
  variables: readonly NamedVariable[],
): Promise<string | undefined> {
  for (const v of variables) {
    if (v.variable.dtype !== 'float32') continue;
    const data = (await v.variable.data()) as Float32Array;
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return v.path;
  }
  return undefined;
}

/** Options of {@link encodeVariables}. */
export interface EncodeOptions {
  /**
   * Store large float32 weights quantized (tfjs's weights-manifest `quantization`, dequantized
   * to float32 at load); small ones, int32 ones and float16-overflowing ones stay float32.
   */
  readonly quantize?: WeightQuantization;
}

/** One weight's spec and bytes, quantized when asked for and worthwhile. */
async function encodeWeight(
  path: string,
  variable: tf.Variable,
  quantize: WeightQuantization | undefined,
): Promise<{ spec: tf.io.WeightsManifestEntry; bytes: Uint8Array }> {
  const spec = { name: path, shape: variable.shape, dtype: variable.dtype as 'float32' | 'int32' };
  const values = await variable.data();
  const raw = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (quantize === undefined) return { spec, bytes: raw };
  const floats = values instanceof Float32Array ? values : undefined;
  if (keepsFloat32(variable.dtype, floats, quantize) !== undefined) return { spec, bytes: raw };
  if (quantize === 'float16') {
    return {
      spec: { ...spec, quantization: { dtype: 'float16' } },
      bytes: encodeFloat16(floats!),
    };
  }
  const { bytes, scale, min } = encodeUint8(floats!);
  return { spec: { ...spec, quantization: { dtype: 'uint8', scale, min } }, bytes };
}

/**
 * Encodes every variable (by path) in tfjs's binary weights format, split into shards.
 * @throws ModelFormatError `MODEL_NON_FINITE` when a weight holds NaN or Infinity
 * @returns the manifest group and the shard files (name → bytes)
 */
export async function encodeVariables(
  variables: readonly NamedVariable[],
  options: EncodeOptions = {},
): Promise<{ manifest: tf.io.WeightsManifestConfig; files: Map<string, Uint8Array> }> {
  const bad = await firstNonFiniteWeight(variables);
  if (bad !== undefined) {
    throw new ModelFormatError(
      'MODEL_NON_FINITE',
      `Refusing to save the model: weight "${bad}" holds NaN or Infinity (training diverged, or the weights were damaged). Lower the learning rate and train again, or save an earlier checkpoint.`,
    );
  }
  const encoded = [];
  for (const v of variables) encoded.push(await encodeWeight(v.path, v.variable, options.quantize));
  const specs = encoded.map((e) => e.spec);
  const bytes = new Uint8Array(concat(encoded.map((e) => e.bytes)));
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

function manifestError(why: string): never {
  throw new ModelFormatError(
    'MODEL_FORMAT',
    `${WEIGHTS_MANIFEST_FILE} is malformed: ${why}. Save the model again (model.save(dir)).`,
  );
}

/**
 * Bytes per stored value of a manifest entry: 4, or its quantization's (float16 2, uint8 1,
 * uint16 2, with a finite scale and min for the integer ones).
 */
function storedBytes(entry: unknown, label: string): number {
  const { quantization, dtype } = entry as { quantization?: unknown; dtype?: unknown };
  if (quantization === undefined) return 4;
  const q = (quantization ?? {}) as { dtype?: unknown; scale?: unknown; min?: unknown };
  const size = typeof q.dtype === 'string' ? QUANTIZED_BYTES[q.dtype] : undefined;
  if (size === undefined || (dtype !== 'float32' && q.dtype === 'float16'))
    manifestError(
      `${label} has quantization ${JSON.stringify(quantization)?.slice(0, 60)}; supported: float16, uint8 and uint16 (with scale and min) of a float32 weight`,
    );
  if (q.dtype !== 'float16' && !(Number.isFinite(q.scale) && Number.isFinite(q.min)))
    manifestError(`${label} is quantized to ${q.dtype} without a finite scale and min`);
  return size;
}

/**
 * Checks a manifest's shape before anything is read: groups are objects; shard paths are plain
 * file names in the model directory; weights have a name, a shape of non-negative integers and
 * a dtype clapjs saves (float32, int32).
 * @returns each group's expected byte count
 */
function checkManifest(manifest: unknown): number[] {
  if (!Array.isArray(manifest)) manifestError('weightsManifest is not a list of groups');
  return manifest.map((group: unknown, g) => {
    if (typeof group !== 'object' || group === null || Array.isArray(group))
      manifestError(`group ${g} is ${group === null ? 'null' : typeof group}, expected an object`);
    const { paths, weights } = group as { paths?: unknown; weights?: unknown };
    if (!Array.isArray(paths) || !Array.isArray(weights))
      manifestError(`group ${g} needs "paths" and "weights" lists`);
    for (const path of paths) {
      if (!isModelFileName(path))
        manifestError(
          `group ${g} lists the shard ${JSON.stringify(path)?.slice(0, 100)}, which is not a file name inside the model directory`,
        );
    }
    let bytes = 0;
    for (const [i, w] of weights.entries()) {
      const { name, shape, dtype } = (w ?? {}) as {
        name?: unknown;
        shape?: unknown;
        dtype?: unknown;
      };
      const label =
        typeof name === 'string' ? `weight "${name.slice(0, 100)}"` : `weight ${i} of group ${g}`;
      if (typeof name !== 'string') manifestError(`${label} has no name`);
      if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
        manifestError(
          `${label} has shape ${JSON.stringify(shape)?.slice(0, 100)}; expected a list of non-negative integers`,
        );
      if (typeof dtype !== 'string' || !SAVED_DTYPES.has(dtype))
        manifestError(
          `${label} has dtype ${JSON.stringify(dtype)?.slice(0, 40)}; supported: ${[...SAVED_DTYPES].join(', ')}`,
        );
      bytes += (shape as number[]).reduce((a, b) => a * b, 1) * storedBytes(w, label);
      if (!(bytes <= MAX_GROUP_BYTES))
        manifestError(`group ${g} lists more than ${MAX_GROUP_BYTES} bytes of weights`);
    }
    return bytes;
  });
}

/**
 * Decodes the weights a manifest lists, reading shards through `read`. The manifest is checked
 * first (see {@link checkManifest}); shards larger than the weights they hold are refused
 * before being read; weights holding NaN or Infinity are refused.
 * @returns tensors by path (the caller disposes them)
 * @throws ModelFormatError `MODEL_FORMAT`, `MODEL_PATH`, `MODEL_NON_FINITE`
 */
export async function decodeWeights(
  manifest: tf.io.WeightsManifestConfig,
  read: ModelFileReader,
): Promise<Map<string, tf.Tensor>> {
  const expectedBytes = checkManifest(manifest);
  const out = new Map<string, tf.Tensor>();
  try {
    for (const [g, group] of manifest.entries()) {
      const expected = expectedBytes[g] ?? 0;
      const shards: Uint8Array[] = [];
      let total = 0;
      for (const path of group.paths) {
        const shard = await read(path, expected - total);
        shards.push(shard);
        total += shard.byteLength;
      }
      const buffer = concat(shards);
      if (buffer.byteLength !== expected) {
        throw new ModelFormatError(
          'MODEL_FORMAT',
          `The weight shards ${group.paths.join(', ')} hold ${buffer.byteLength} bytes but the manifest lists ${expected}; the files are truncated or from another save. Save the model again.`,
        );
      }
      let offset = 0;
      for (const w of group.weights) {
        const count = w.shape.reduce((a, b) => a * b, 1);
        if (w.quantization !== undefined) {
          // Checked once dequantized (a float16 can hold Infinity).
          offset += count * (QUANTIZED_BYTES[w.quantization.dtype] ?? 4);
          continue;
        }
        if (w.dtype === 'float32') {
          const values = new Float32Array(buffer, offset, count);
          if (!values.every(Number.isFinite)) {
            throw new ModelFormatError(
              'MODEL_NON_FINITE',
              `Weight "${w.name}" in ${WEIGHTS_MANIFEST_FILE} holds NaN or Infinity: the model diverged in training or is damaged, and would only output NaN. Use an earlier checkpoint's model or train again with a lower learning rate.`,
            );
          }
        }
        offset += count * 4;
      }
      for (const [name, tensor] of Object.entries(tf.io.decodeWeights(buffer, group.weights)))
        out.set(name, tensor);
      for (const w of group.weights) {
        if (w.quantization === undefined) continue;
        const values = (await out.get(w.name)!.data()) as Float32Array;
        if (!values.every(Number.isFinite)) {
          throw new ModelFormatError(
            'MODEL_NON_FINITE',
            `Weight "${w.name}" in ${WEIGHTS_MANIFEST_FILE} dequantizes to NaN or Infinity: the quantized weights are damaged. Export the model again.`,
          );
        }
      }
    }
    return out;
  } catch (error) {
    for (const tensor of out.values()) tensor.dispose();
    throw error;
  }
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
