import { CheckpointError } from './errors.js';
import { unpickle, type UnpicklerHooks } from './pickle.js';
import {
  NumpyDtype,
  PyDict,
  PyGlobal,
  PySet,
  PyTuple,
  StorageRef,
  TensorRef,
  type PyValue,
  type TorchDtype,
} from './pickle-values.js';

/** torch's typed storage classes, by the dtype of their elements. */
const STORAGE_TYPES: Readonly<Record<string, TorchDtype>> = {
  DoubleStorage: 'float64',
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
  UntypedStorage: 'uint8',
};

/** numpy dtype codes whose scalars a pickle may rebuild, with their byte widths. */
const NUMPY_CODES: Readonly<Record<string, number>> = {
  f2: 2,
  f4: 4,
  f8: 8,
  i1: 1,
  i2: 2,
  i4: 4,
  i8: 8,
  u1: 1,
  u2: 2,
  u4: 4,
  u8: 8,
  b1: 1,
};

const REBUILD_TENSOR = 'torch._utils._rebuild_tensor_v2';
const REBUILD_TENSOR_V1 = 'torch._utils._rebuild_tensor';
const REBUILD_PARAMETER = 'torch._utils._rebuild_parameter';
const REBUILD_PARAMETER_WITH_STATE = 'torch._utils._rebuild_parameter_with_state';
const REBUILD_FROM_TYPE = 'torch._tensor._rebuild_from_type_v2';
const TENSOR_TYPES = new Set(['torch.Tensor', 'torch.nn.parameter.Parameter']);

/**
 * The only globals a checkpoint's pickle may name: what a state dict (and an optimizer's state
 * next to it) needs to be rebuilt as data. Anything else is refused before it is used.
 */
export const ALLOWED_GLOBALS: ReadonlySet<string> = new Set([
  'collections.OrderedDict',
  'builtins.set',
  'builtins.frozenset',
  '_codecs.encode',
  REBUILD_TENSOR,
  REBUILD_TENSOR_V1,
  REBUILD_PARAMETER,
  REBUILD_PARAMETER_WITH_STATE,
  REBUILD_FROM_TYPE,
  ...TENSOR_TYPES,
  ...Object.keys(STORAGE_TYPES).map((type) => `torch.${type}`),
  'numpy.core.multiarray.scalar',
  'numpy._core.multiarray.scalar',
  'numpy.dtype',
]);

/** Python 2 pickles name the builtins module `__builtin__`. */
const MODULE_ALIASES: Readonly<Record<string, string>> = { __builtin__: 'builtins' };

/** Where storages live: the zip format names one per key; the legacy format may take views. */
export type StorageIdFormat = 'zip' | 'legacy';

function isIndex(value: PyValue): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function intTuple(value: PyValue): number[] | undefined {
  const items = value instanceof PyTuple ? value.items : Array.isArray(value) ? value : undefined;
  if (items === undefined || !items.every(isIndex)) return undefined;
  return items as number[];
}

/**
 * Unpickles a torch checkpoint's `data.pkl` into plain data: dicts, lists, numbers, strings,
 * {@link StorageRef}s and {@link TensorRef}s. No code of the pickle's runs; globals outside
 * {@link ALLOWED_GLOBALS} are refused by name.
 * @throws CheckpointError (`PICKLE_GLOBAL_REFUSED`, `PICKLE_FORMAT`, `PICKLE_OPCODE_REFUSED`,
 * `TORCH_FORMAT`, `TENSOR_DTYPE_UNSUPPORTED`)
 */
export function unpickleTorch(bytes: Uint8Array, name: string) {
  const { hooks, storages } = torchHooks(name, 'zip');
  return { root: unpickle(bytes, hooks, name), storages };
}

/**
 * The allow-listed hooks behind {@link unpickleTorch}, for a reader that unpickles by itself
 * (the legacy format's pickles lie back to back). `storages` fills as the pickle names them.
 */
export function torchHooks(name: string, format: StorageIdFormat) {
  const storages = new Map<string, StorageRef>();
  const torchFail = (why: string): never => {
    throw new CheckpointError(
      'TORCH_FORMAT',
      `${name}: ${why}; the checkpoint is corrupt or not written by torch.save.`,
    );
  };

  const rebuildTensor = (args: readonly PyValue[]): TensorRef => {
    const [storage, offset, size, stride] = args;
    if (!(storage instanceof StorageRef)) return torchFail('a tensor has no storage');
    const shape = intTuple(size ?? null);
    const strides = intTuple(stride ?? null);
    if (!isIndex(offset ?? null) || shape === undefined || strides === undefined) {
      return torchFail('a tensor has a malformed offset, size or stride');
    }
    if (shape.length !== strides.length) torchFail('a tensor has as many sizes as strides');
    let numel = 1;
    let last = offset as number;
    for (let i = 0; i < shape.length; i++) {
      numel *= shape[i]!;
      last += Math.max(0, shape[i]! - 1) * strides[i]!;
    }
    if (!Number.isSafeInteger(numel) || !Number.isSafeInteger(last)) {
      torchFail('a tensor is too large');
    }
    // More elements than the storage holds only comes from expand(): a hostile size could make
    // a 1-element storage ask for gigabytes, so the output is bounded by the storage.
    if (numel > Math.max(storage.numel, 1)) {
      torchFail(
        `a tensor of shape [${shape.join(', ')}] has more elements than its ${storage.numel}-element storage (a broadcast view; save tensor.contiguous() instead)`,
      );
    }
    if (numel > 0 && last >= storage.numel) {
      torchFail(
        `a tensor of shape [${shape.join(', ')}] reaches element ${last} of a ${storage.numel}-element storage`,
      );
    }
    return new TensorRef(storage, offset as number, shape, strides);
  };

  const storageFrom = (type: PyValue, key: PyValue, numel: PyValue): StorageRef => {
    if (!(type instanceof PyGlobal) || type.module !== 'torch' || !(type.name in STORAGE_TYPES)) {
      return torchFail('a storage has no storage type');
    }
    if (typeof key !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(key) || !isIndex(numel)) {
      return torchFail('a storage has a malformed key or size');
    }
    const dtype = STORAGE_TYPES[type.name]!;
    // Typed storages count elements; untyped ones bytes, which are their uint8 elements.
    const elements = numel;
    const known = storages.get(key);
    if (known !== undefined) {
      if (known.dtype !== dtype || known.numel !== elements) {
        torchFail(`storage ${key} is named with two different types or sizes`);
      }
      return known;
    }
    const ref = new StorageRef(key, dtype, elements);
    storages.set(key, ref);
    return ref;
  };

  const hooks: UnpicklerHooks = {
    global(module, globalName) {
      const qualified = `${MODULE_ALIASES[module] ?? module}.${globalName}`;
      if (ALLOWED_GLOBALS.has(qualified)) {
        return new PyGlobal(MODULE_ALIASES[module] ?? module, globalName);
      }
      if (module === 'torch' && globalName.endsWith('Storage')) {
        throw new CheckpointError(
          'TENSOR_DTYPE_UNSUPPORTED',
          `${name} holds a torch.${globalName}; supported storages: ${Object.keys(STORAGE_TYPES).join(', ')}. Convert those tensors (e.g. .float()) and save again.`,
        );
      }
      throw new CheckpointError(
        'PICKLE_GLOBAL_REFUSED',
        `${name}: the pickle names the global ${qualified.slice(0, 200)}, which is not one a checkpoint's tensors need; loading it could run code, so the file is refused (nothing was run). If the file should hold only weights, save model.state_dict() with torch.save.`,
      );
    },
    call(callable, args) {
      const qualified = callable.qualifiedName;
      switch (qualified) {
        case 'collections.OrderedDict': {
          const dict = new PyDict();
          const pairs = args[0];
          if (args.length === 0) return dict;
          if (!Array.isArray(pairs) || args.length > 1)
            return torchFail('an OrderedDict(...) call');
          for (const pair of pairs) {
            const items = pair instanceof PyTuple ? pair.items : Array.isArray(pair) ? pair : [];
            const key = items[0];
            if (items.length !== 2 || (typeof key !== 'string' && typeof key !== 'number')) {
              return torchFail('an OrderedDict item is not a (str, value) pair');
            }
            dict.entries.set(key, items[1]!);
          }
          return dict;
        }
        case 'builtins.set':
        case 'builtins.frozenset': {
          const items = args[0] ?? [];
          if (!Array.isArray(items) || args.length > 1) return torchFail(`a ${qualified} call`);
          return new PySet([...items]);
        }
        case '_codecs.encode': {
          const [value, encoding] = args;
          if (typeof value !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) {
            return torchFail('an _codecs.encode call other than (str, "latin1")');
          }
          const out = new Uint8Array(value.length);
          for (let i = 0; i < value.length; i++) {
            const code = value.charCodeAt(i);
            if (code > 0xff) return torchFail('a latin1 string with a character above U+00FF');
            out[i] = code;
          }
          return out;
        }
        case REBUILD_TENSOR:
        case REBUILD_TENSOR_V1:
          return rebuildTensor(args);
        case REBUILD_PARAMETER:
        case REBUILD_PARAMETER_WITH_STATE:
          if (!(args[0] instanceof TensorRef)) return torchFail('a parameter without a tensor');
          return args[0];
        case REBUILD_FROM_TYPE: {
          const [func, type, inner] = args;
          if (
            !(func instanceof PyGlobal) ||
            !(type instanceof PyGlobal) ||
            !TENSOR_TYPES.has(type.qualifiedName) ||
            !(inner instanceof PyTuple)
          ) {
            return torchFail('a tensor subclass that is not a plain tensor or parameter');
          }
          return hooks.call(func, inner.items);
        }
        case 'numpy.core.multiarray.scalar':
        case 'numpy._core.multiarray.scalar':
          return numpyScalar(args, torchFail);
        case 'numpy.dtype': {
          const code = args[0];
          if (typeof code !== 'string' || !(code in NUMPY_CODES)) {
            return torchFail(
              `numpy.dtype(${typeof code === 'string' ? code.slice(0, 20) : typeof code}) is not a numeric dtype`,
            );
          }
          return new NumpyDtype(code);
        }
        default:
          return torchFail(`${qualified} cannot be called`);
      }
    },
    build(target, state) {
      if (target instanceof PyDict && (state === null || state instanceof PyDict)) return target;
      if (target instanceof NumpyDtype && state instanceof PyTuple) {
        const order = state.items[1];
        if (order !== '<' && order !== '>' && order !== '|' && order !== '=') {
          return torchFail('a numpy dtype with an unknown byte order');
        }
        target.byteOrder = order;
        return target;
      }
      if (target instanceof TensorRef && (state === null || state instanceof PyDict)) return target;
      return torchFail('the pickle sets state on an object that takes none');
    },
    persistentLoad(pid) {
      const items = pid instanceof PyTuple ? pid.items : [];
      if (items[0] !== 'storage') return torchFail('a persistent id that is not a storage');
      if (format === 'zip') {
        if (items.length !== 5) return torchFail('a storage id of the wrong length');
        return storageFrom(items[1]!, items[2]!, items[4]!);
      }
      return legacyStorage(items, storageFrom, torchFail);
    },
  };
  return { hooks, storages };
}

function numpyScalar(args: readonly PyValue[], torchFail: (why: string) => never): PyValue {
  const [dtype, data] = args;
  if (!(dtype instanceof NumpyDtype) || !(data instanceof Uint8Array)) {
    return torchFail('a numpy scalar without a dtype and bytes');
  }
  const width = NUMPY_CODES[dtype.code]!;
  if (data.byteLength !== width) return torchFail('a numpy scalar of the wrong size');
  const view = new DataView(data.buffer, data.byteOffset, width);
  const little = dtype.byteOrder !== '>';
  const kind = dtype.code[0];
  if (kind === 'f') {
    if (width === 2) return halfToFloat(view.getUint16(0, little));
    return width === 4 ? view.getFloat32(0, little) : view.getFloat64(0, little);
  }
  if (kind === 'b') return data[0] !== 0;
  if (width === 8) {
    const value = kind === 'i' ? view.getBigInt64(0, little) : view.getBigUint64(0, little);
    const safe = BigInt(Number.MAX_SAFE_INTEGER);
    return value <= safe && value >= -safe ? Number(value) : value;
  }
  if (width === 1) return kind === 'i' ? view.getInt8(0) : view.getUint8(0);
  if (width === 2) return kind === 'i' ? view.getInt16(0, little) : view.getUint16(0, little);
  return kind === 'i' ? view.getInt32(0, little) : view.getUint32(0, little);
}

/** IEEE half-precision bits to a number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Legacy (pre-1.6) ids: ('storage', type, root key, location, root size, view or None). */
function legacyStorage(
  items: readonly PyValue[],
  storageFrom: (type: PyValue, key: PyValue, numel: PyValue) => StorageRef,
  torchFail: (why: string) => never,
): StorageRef {
  if (items.length !== 6) return torchFail('a legacy storage id of the wrong length');
  if (items[5] !== null) {
    throw new CheckpointError(
      'CHECKPOINT_LEGACY_FORMAT',
      'The legacy checkpoint shares storages between views; load it with torch 1.6 or newer and save it again (torch.save writes the zip format).',
    );
  }
  return storageFrom(items[1]!, items[2]!, items[4]!);
}
