/**
 * The Python values an allow-listed unpickler can produce: plain data only. Python's int is a
 * number when it fits a double exactly, else a bigint; str is a string; bytes a Uint8Array; None
 * is null; list an array.
 */
export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyValue[]
  | PyTuple
  | PyDict
  | PySet
  | PyGlobal
  | StorageRef
  | TensorRef
  | NumpyDtype;

/** A Python tuple. */
export class PyTuple {
  constructor(readonly items: readonly PyValue[]) {}
}

/** A dict or OrderedDict; keys keep insertion order. */
export class PyDict {
  readonly entries = new Map<string | number | bigint | boolean | null, PyValue>();
}

/** A set or frozenset. */
export class PySet {
  constructor(readonly items: PyValue[]) {}
}

/** A global the pickle named and the allow-list admitted (e.g. `torch.FloatStorage`). */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}

  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** The element types of torch storages that the readers know. */
export type TorchDtype =
  | 'float64'
  | 'float32'
  | 'float16'
  | 'bfloat16'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint8'
  | 'bool';

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Readonly<Record<TorchDtype, number>> = {
  float64: 8,
  float32: 4,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/** A storage that a pickle's persistent id names: data kept outside the pickle. */
export class StorageRef {
  constructor(
    /** The key of the storage's file (zip: `archive/data/<key>`). */
    readonly key: string,
    readonly dtype: TorchDtype,
    /** Elements in the storage. */
    readonly numel: number,
  ) {}
}

/** A tensor: a strided view of a storage (what `torch._utils._rebuild_tensor_v2` receives). */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    /** In elements. */
    readonly offset: number,
    readonly shape: readonly number[],
    /** In elements. */
    readonly strides: readonly number[],
  ) {}
}

/** A numpy dtype, as `numpy.dtype(...)` rebuilds it (its state says the byte order). */
export class NumpyDtype {
  byteOrder = '=';

  constructor(readonly code: string) {}
}
