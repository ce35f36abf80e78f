import type * as tf from '@tensorflow/tfjs-core';

/**
 * How a saved model's weights may be stored: tfjs's weights-manifest quantization, which
 * `tf.io.decodeWeights` dequantizes to float32 at load (float16: half floats; uint8: per-tensor
 * affine `value = q · scale + min`, as tfjs-converter writes it). See docs/export.md.
 */
export const WEIGHT_QUANTIZATIONS = ['float16', 'uint8'] as const;
export type WeightQuantization = (typeof WEIGHT_QUANTIZATIONS)[number];

/**
 * Weights with fewer values than this stay float32: biases, norms, position-bias tables and
 * logit scales are a negligible share of the bytes and the embeddings are most sensitive to them.
 */
export const MIN_QUANTIZED_SIZE = 4096;

/** The largest finite float16. */
const FLOAT16_MAX = 65504;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** One float32 as IEEE half-float bits, rounded to nearest even (overflow → ±Infinity). */
function toFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    // Subnormal half: shift the mantissa (with its implicit 1) into place, rounding to even.
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mantissa & ((1 << shift) - 1);
    let bits = mantissa >>> shift;
    if (rest > half || (rest === half && (bits & 1) === 1)) bits += 1;
    return sign | bits;
  }
  const rest = mantissa & 0x1fff;
  let bits = (e << 10) | (mantissa >>> 13);
  // A carry out of the mantissa correctly bumps the exponent (and can reach Infinity).
  if (rest > 0x1000 || (rest === 0x1000 && (bits & 1) === 1)) bits += 1;
  return sign | bits;
}

/** Float32 values as float16 (little-endian bytes, as tfjs reads them). */
export function encodeFloat16(values: Float32Array): Uint8Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = toFloat16Bits(values[i]!);
  return new Uint8Array(out.buffer);
}

/**
 * tfjs-converter's affine uint8 quantization: the range is widened to include 0 and nudged so
 * that 0 is exactly representable; values are clipped to it and rounded.
 */
export function encodeUint8(values: Float32Array): {
  bytes: Uint8Array;
  scale: number;
  min: number;
} {
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  const zero = Math.round(-lo / scale);
  const min = -zero * scale;
  const max = (255 - zero) * scale;
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const clipped = Math.min(max, Math.max(min, values[i]!));
    bytes[i] = Math.round((clipped - min) / scale);
  }
  return { bytes, scale, min };
}

/** Why a weight stays float32 under a quantization, or undefined when it is quantized. */
export function keepsFloat32(
  dtype: tf.DataType,
  values: Float32Array | undefined,
  quantization: WeightQuantization,
): string | undefined {
  if (dtype !== 'float32' || values === undefined) return 'not float32';
  if (values.length < MIN_QUANTIZED_SIZE) return `fewer than ${MIN_QUANTIZED_SIZE} values`;
  if (quantization === 'float16' && values.some((v) => Math.abs(v) > FLOAT16_MAX))
    return `values beyond float16's range (±${FLOAT16_MAX})`;
  return undefined;
}
