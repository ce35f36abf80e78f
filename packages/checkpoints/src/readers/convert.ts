import { CheckpointError } from './errors.js';
import { DTYPE_BYTES, type TorchDtype } from './pickle-values.js';
import { halfToFloat } from './torch-pickle.js';

/** What {@link CheckpointReader.read} returns: floats as float32, integers as int32. */
export type TensorData = Float32Array | Int32Array;

/** A strided view to gather: element offsets and strides count elements of `dtype`. */
export interface StridedView {
  readonly dtype: TorchDtype;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const HALF_TABLE = new Float32Array(65536);
for (let h = 0; h < 65536; h++) HALF_TABLE[h] = halfToFloat(h);

/** Whether a dtype is read as float32 (else as int32). */
export function isFloatDtype(dtype: TorchDtype): boolean {
  return dtype.startsWith('float') || dtype === 'bfloat16';
}

/** Elements of a shape (1 for a scalar). */
export function numelOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** How many elements a strided view spans from its offset to the last one it touches. */
export function viewSpan(view: StridedView): number {
  if (numelOf(view.shape) === 0) return 0;
  let last = 0;
  for (let i = 0; i < view.shape.length; i++) last += (view.shape[i]! - 1) * view.strides[i]!;
  return last + 1;
}

/** Whether a view is row-major contiguous (so its span is exactly its elements, in order). */
export function isContiguous(view: StridedView): boolean {
  let expected = 1;
  for (let i = view.shape.length - 1; i >= 0; i--) {
    if (view.shape[i]! !== 1 && view.strides[i]! !== expected) return false;
    expected *= view.shape[i]!;
  }
  return true;
}

/**
 * Converts the little-endian bytes of a view's span (element 0 = the view's offset) into a
 * row-major float32 or int32 array. int64 values outside the int32 range are refused.
 * @throws CheckpointError (`TENSOR_INT_RANGE`)
 */
export function convertView(bytes: Uint8Array, view: StridedView, tensorName: string): TensorData {
  const numel = numelOf(view.shape);
  const float = isFloatDtype(view.dtype);
  const out = float ? new Float32Array(numel) : new Int32Array(numel);
  if (numel === 0) return out;
  if (out instanceof Float32Array && halfPrecisionFast(bytes, view, out)) return out;
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const get = elementReader(data, view.dtype, tensorName);
  const ndim = view.shape.length;
  if (ndim === 0) {
    out[0] = get(0);
    return out;
  }
  // Odometer over all but the last dimension; the last one is the inner loop.
  const index = new Array<number>(ndim).fill(0);
  const inner = view.shape[ndim - 1]!;
  const innerStride = view.strides[ndim - 1]!;
  let base = 0;
  for (let o = 0; o < numel; o += inner) {
    for (let j = 0; j < inner; j++) out[o + j] = get(base + j * innerStride);
    for (let d = ndim - 2; d >= 0; d--) {
      index[d]!++;
      base += view.strides[d]!;
      if (index[d]! < view.shape[d]!) break;
      base -= index[d]! * view.strides[d]!;
      index[d] = 0;
    }
  }
  return out;
}

/** fp16/bf16 of a contiguous view, converted through typed arrays (a CNN14 holds 80 M values). */
function halfPrecisionFast(bytes: Uint8Array, view: StridedView, out: Float32Array): boolean {
  const half = view.dtype === 'float16' || view.dtype === 'bfloat16';
  if (!half || !LITTLE_ENDIAN_HOST || !isContiguous(view) || bytes.byteOffset % 2 !== 0) {
    return false;
  }
  const words = new Uint16Array(bytes.buffer, bytes.byteOffset, out.length);
  if (view.dtype === 'float16') {
    for (let i = 0; i < words.length; i++) out[i] = HALF_TABLE[words[i]!]!;
  } else {
    const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
    for (let i = 0; i < words.length; i++) bits[i] = words[i]! << 16;
  }
  return true;
}

function elementReader(
  data: DataView,
  dtype: TorchDtype,
  tensorName: string,
): (element: number) => number {
  switch (dtype) {
    case 'float32':
      return (i) => data.getFloat32(i * 4, true);
    case 'float64':
      return (i) => data.getFloat64(i * 8, true);
    case 'float16':
      return (i) => HALF_TABLE[data.getUint16(i * 2, true)]!;
    case 'bfloat16': {
      const word = new Uint32Array(1);
      const float = new Float32Array(word.buffer);
      return (i) => {
        word[0] = data.getUint16(i * 2, true) << 16;
        return float[0]!;
      };
    }
    case 'int64':
      return (i) => {
        const low = data.getInt32(i * 8, true);
        const high = data.getInt32(i * 8 + 4, true);
        if (high !== (low < 0 ? -1 : 0)) {
          throw new CheckpointError(
            'TENSOR_INT_RANGE',
            `Tensor ${tensorName} holds the int64 value ${data.getBigInt64(i * 8, true)}, outside the int32 range that clapjs reads integers into.`,
          );
        }
        return low;
      };
    case 'int32':
      return (i) => data.getInt32(i * 4, true);
    case 'int16':
      return (i) => data.getInt16(i * 2, true);
    case 'int8':
      return (i) => data.getInt8(i);
    case 'uint8':
      return (i) => data.getUint8(i);
    case 'bool':
      return (i) => (data.getUint8(i) !== 0 ? 1 : 0);
  }
}

/**
 * Reads a contiguous float32 view straight into its output array (no second copy), when the
 * host is little-endian like the files.
 */
export function directFloat32(view: StridedView): Float32Array | undefined {
  return view.dtype === 'float32' && LITTLE_ENDIAN_HOST && isContiguous(view)
    ? new Float32Array(numelOf(view.shape))
    : undefined;
}

/** Bytes per element of a dtype. */
export function bytesPerElement(dtype: TorchDtype): number {
  return DTYPE_BYTES[dtype];
}
