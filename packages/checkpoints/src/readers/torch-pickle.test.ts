import { describe, expect, it } from 'vitest';
import { TensorRef } from './pickle-values.js';
import { ALLOWED_GLOBALS, unpickleTorch } from './torch-pickle.js';

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));
const str = (text: string) => [0x8c, text.length, ...ascii(text)];
const global = (module: string, name: string) => [0x63, ...ascii(`${module}\n${name}\n`)];

/** PROTO 2, then `module.name(arg)` through REDUCE, then STOP. */
const call = (module: string, name: string, arg: number[]) =>
  new Uint8Array([0x80, 2, ...global(module, name), ...arg, 0x85, 0x52, 0x2e]);

describe('the allow-list', () => {
  it.each([
    ['posix', 'system'],
    ['os', 'system'],
    ['builtins', 'eval'],
    ['__builtin__', 'getattr'],
    ['torch.storage', '_load_from_bytes'],
    ['torch', 'load'],
    ['numpy.core.multiarray', '_reconstruct'],
    ['subprocess', 'Popen'],
  ])('refuses %s.%s by name, before calling anything', (module, name) => {
    const qualified = `${module === '__builtin__' ? 'builtins' : module}.${name}`;
    expect(() => unpickleTorch(call(module, name, str('id')), 'x.pkl')).toThrow(
      expect.objectContaining({
        code: 'PICKLE_GLOBAL_REFUSED',
        message: expect.stringContaining(qualified),
      }),
    );
  });

  it('admits only what a state dict needs', () => {
    expect([...ALLOWED_GLOBALS].sort()).toEqual(
      [
        '_codecs.encode',
        'builtins.frozenset',
        'builtins.set',
        'collections.OrderedDict',
        'numpy._core.multiarray.scalar',
        'numpy.core.multiarray.scalar',
        'numpy.dtype',
        'torch.BFloat16Storage',
        'torch.BoolStorage',
        'torch.ByteStorage',
        'torch.CharStorage',
        'torch.DoubleStorage',
        'torch.FloatStorage',
        'torch.HalfStorage',
        'torch.IntStorage',
        'torch.LongStorage',
        'torch.ShortStorage',
        'torch.Tensor',
        'torch.UntypedStorage',
        'torch._tensor._rebuild_from_type_v2',
        'torch._utils._rebuild_parameter',
        'torch._utils._rebuild_parameter_with_state',
        'torch._utils._rebuild_tensor',
        'torch._utils._rebuild_tensor_v2',
        'torch.nn.parameter.Parameter',
      ].sort(),
    );
  });

  it('an admitted type cannot be called into arbitrary objects', () => {
    expect(() => unpickleTorch(call('torch', 'FloatStorage', str('x')), 'x.pkl')).toThrow(
      expect.objectContaining({ code: 'TORCH_FORMAT' }),
    );
  });

  it('names a complex or quantized storage as an unsupported dtype', () => {
    expect(() => unpickleTorch(call('torch', 'ComplexFloatStorage', str('x')), 'x.pkl')).toThrow(
      expect.objectContaining({ code: 'TENSOR_DTYPE_UNSUPPORTED' }),
    );
  });

  it('rebuilds a tensor from a persistent storage id, checking it against the storage', () => {
    // _rebuild_tensor_v2(('storage', FloatStorage, '0', 'cpu', 6), 1, (2, 2), (3, 1), False, OrderedDict())
    const pid = [
      0x28,
      ...str('storage'),
      ...global('torch', 'FloatStorage'),
      ...str('0'),
      ...str('cpu'),
      0x4b,
      6,
      0x74,
      0x51,
    ];
    const tensor = (offset: number, stride: number) =>
      new Uint8Array([
        0x80,
        2,
        ...global('torch._utils', '_rebuild_tensor_v2'),
        0x28,
        ...pid,
        0x4b,
        offset,
        0x4b,
        2,
        0x4b,
        2,
        0x86,
        0x4b,
        stride,
        0x4b,
        1,
        0x86,
        0x89,
        ...global('collections', 'OrderedDict'),
        0x29,
        0x52,
        0x74,
        0x52,
        0x2e,
      ]);
    const { root, storages } = unpickleTorch(tensor(1, 3), 'x.pkl');
    expect(root).toBeInstanceOf(TensorRef);
    expect(root).toMatchObject({ offset: 1, shape: [2, 2], strides: [3, 1] });
    expect(storages.get('0')).toMatchObject({ dtype: 'float32', numel: 6 });
    // Offset 2 + (2 − 1)·3 + (2 − 1)·1 = element 6 of a 6-element storage: out of bounds.
    expect(() => unpickleTorch(tensor(2, 3), 'x.pkl')).toThrow(
      expect.objectContaining({ code: 'TORCH_FORMAT' }),
    );
  });
});
