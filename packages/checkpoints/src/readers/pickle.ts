import { CheckpointError } from './errors.js';
import { PyDict, PySet, PyTuple, type PyGlobal, type PyValue } from './pickle-values.js';

/**
 * What a pickle may do beyond building plain data. Each hook receives only values the pickle
 * built; nothing the pickle names is ever looked up or called outside these hooks.
 */
export interface UnpicklerHooks {
  /** Admits `module.name` (e.g. `collections.OrderedDict`) or throws `PICKLE_GLOBAL_REFUSED`. */
  global(module: string, name: string): PyGlobal;
  /** REDUCE / NEWOBJ: `callable(*args)` for an admitted global. */
  call(callable: PyGlobal, args: readonly PyValue[]): PyValue;
  /** BUILD: sets `state` on `target` (e.g. an OrderedDict's `_metadata`). */
  build(target: PyValue, state: PyValue): PyValue;
  /** BINPERSID / PERSID: data stored outside the pickle (torch: storages). */
  persistentLoad(pid: PyValue): PyValue;
}

/** Python ints larger than this many bytes are refused (no checkpoint holds one). */
const MAX_LONG_BYTES = 64;

/**
 * Unpickles protocol 0–5 data (the opcodes torch.save and numpy emit) without executing
 * anything: globals go through `hooks.global`, calls through `hooks.call`. Opcodes that can only
 * build arbitrary objects (INST, OBJ, the extension registry, out-of-band buffers) are refused.
 * Every opcode consumes at least one byte and every length is checked against the bytes left, so
 * any input ends, and allocations stay within a small multiple of the input.
 * @throws CheckpointError (`PICKLE_FORMAT`, `PICKLE_GLOBAL_REFUSED`, `PICKLE_OPCODE_REFUSED`)
 */
export function unpickle(bytes: Uint8Array, hooks: UnpicklerHooks, name = 'pickle'): PyValue {
  // Like Python's pickle.load, bytes after the STOP are not read.
  return unpickleAt(bytes, 0, hooks, name).value;
}

/** The pickle ran past the end of the bytes given (a reader may give it more and retry). */
export class PickleEndError extends CheckpointError {}

/**
 * {@link unpickle} for one of several pickles written back to back (torch's legacy format):
 * reads from `start` to the first STOP.
 * @returns the value and the offset just after its STOP
 * @throws PickleEndError when the pickle runs past the end of `bytes`
 */
export function unpickleAt(
  bytes: Uint8Array,
  start: number,
  hooks: UnpicklerHooks,
  name = 'pickle',
): { value: PyValue; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const latin1 = new TextDecoder('latin1');
  const stack: PyValue[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PyValue>();
  let at = start;

  const fail = (why: string): never => {
    throw new CheckpointError(
      'PICKLE_FORMAT',
      `${name} is not a readable pickle: ${why} (at byte ${at}); the file is truncated or corrupt, save it again with torch.save.`,
    );
  };
  const need = (length: number) => {
    if (length < 0) fail(`a length of ${length}`);
    if (at + length > bytes.byteLength) {
      throw new PickleEndError(
        'PICKLE_FORMAT',
        `${name} is not a readable pickle: it runs past the end (a length of ${length} at byte ${at}); the file is truncated or corrupt, save it again with torch.save.`,
      );
    }
  };
  const u8 = () => (need(1), bytes[at++]!);
  const u16 = () => (need(2), (at += 2), view.getUint16(at - 2, true));
  const u32 = () => (need(4), (at += 4), view.getUint32(at - 4, true));
  const u64 = () => {
    need(8);
    const value = view.getBigUint64(at, true);
    at += 8;
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail(`a length of ${value}`);
    return Number(value);
  };
  const take = (length: number) => {
    need(length);
    at += length;
    return bytes.subarray(at - length, at);
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, at);
    if (end < 0) need(bytes.byteLength + 1 - at);
    const text = latin1.decode(bytes.subarray(at, end));
    at = end + 1;
    return text;
  };
  const text = (raw: Uint8Array) => {
    try {
      return utf8.decode(raw);
    } catch {
      return fail('a string is not UTF-8');
    }
  };
  const pop = (): PyValue => {
    const mark = marks.length > 0 ? marks[marks.length - 1]! : 0;
    if (stack.length <= mark) fail('the stack is empty');
    return stack.pop()!;
  };
  const top = (): PyValue => {
    const mark = marks.length > 0 ? marks[marks.length - 1]! : 0;
    if (stack.length <= mark) fail('the stack is empty');
    return stack[stack.length - 1]!;
  };
  const popMark = (): PyValue[] => {
    const mark = marks.pop();
    if (mark === undefined) fail('no MARK to pop to');
    return stack.splice(mark!);
  };
  const dictKey = (key: PyValue) => {
    if (
      key === null ||
      typeof key === 'string' ||
      typeof key === 'number' ||
      typeof key === 'bigint' ||
      typeof key === 'boolean'
    ) {
      return key;
    }
    return fail('a dict key is not a str, int, bool or None');
  };
  const setItems = (target: PyValue, items: PyValue[]) => {
    if (!(target instanceof PyDict)) fail('SETITEM(S) on something that is not a dict');
    if (items.length % 2 !== 0) fail('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) {
      (target as PyDict).entries.set(dictKey(items[i]!), items[i + 1]!);
    }
  };
  const append = (target: PyValue, items: PyValue[]) => {
    if (!Array.isArray(target)) fail('APPEND(S) on something that is not a list');
    for (const item of items) (target as PyValue[]).push(item);
  };
  const asGlobal = (value: PyValue, what: string): PyGlobal => {
    if (typeof value !== 'object' || value === null || !('qualifiedName' in value)) {
      return fail(`${what} on something that is not an admitted global`);
    }
    return value;
  };
  const asArgs = (value: PyValue): PyValue[] => {
    if (!(value instanceof PyTuple)) return fail('call arguments are not a tuple');
    return [...value.items];
  };
  const long = (raw: Uint8Array): number | bigint => {
    if (raw.byteLength > MAX_LONG_BYTES) fail(`an integer of ${raw.byteLength} bytes`);
    if (raw.byteLength === 0) return 0;
    let value = 0n;
    for (let i = raw.byteLength - 1; i >= 0; i--) value = (value << 8n) | BigInt(raw[i]!);
    if (raw[raw.byteLength - 1]! & 0x80) value -= 1n << BigInt(raw.byteLength * 8);
    return small(value);
  };
  const small = (value: bigint) =>
    value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value;
  const textInt = (raw: string): number | bigint | boolean => {
    if (raw === '00') return false;
    if (raw === '01') return true;
    const digits = raw.endsWith('L') ? raw.slice(0, -1) : raw;
    if (!/^[+-]?\d{1,40}$/.test(digits)) fail(`"${raw.slice(0, 20)}" is not an integer`);
    return small(BigInt(digits));
  };
  const refuse = (opcode: string) => {
    throw new CheckpointError(
      'PICKLE_OPCODE_REFUSED',
      `${name} uses the pickle opcode ${opcode}, which builds arbitrary objects; a checkpoint never needs it, so the file is refused (nothing was run).`,
    );
  };

  for (;;) {
    const opcode = u8();
    switch (opcode) {
      case 0x80: // PROTO
        if (u8() > 5) fail('a pickle protocol newer than 5');
        break;
      case 0x95: // FRAME: only a size hint
        u64();
        break;
      case 0x2e: // STOP
        if (marks.length > 0 || stack.length !== 1) fail('STOP with a stack that is not one value');
        return { value: stack[0]!, end: at };
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        need(4);
        stack.push(view.getInt32(at, true));
        at += 4;
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(long(take(u8())));
        break;
      case 0x8b: // LONG4
        stack.push(long(take(u32())));
        break;
      case 0x49: // INT
        stack.push(textInt(line()));
        break;
      case 0x4c: // LONG
        stack.push(textInt(line()));
        break;
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        stack.push(view.getFloat64(at, false));
        at += 8;
        break;
      case 0x46: {
        // FLOAT
        const raw = line();
        const value = Number(raw);
        if (raw.trim() === '' || Number.isNaN(value) !== /nan/i.test(raw)) fail('a bad FLOAT');
        stack.push(value);
        break;
      }
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(take(u8())));
        break;
      case 0x58: // BINUNICODE
        stack.push(text(take(u32())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(text(take(u64())));
        break;
      case 0x55: // SHORT_BINSTRING (Python 2 str: bytes, read as latin-1 text)
        stack.push(latin1.decode(take(u8())));
        break;
      case 0x54: // BINSTRING
        stack.push(latin1.decode(take(u32())));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(take(u64()).slice());
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push(new PyTuple([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(new PyTuple([pop(), b, c]));
        break;
      }
      case 0x74: // TUPLE
        stack.push(new PyTuple(popMark()));
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x61: {
        // APPEND
        const item = pop();
        append(top(), [item]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict());
        break;
      case 0x64: {
        // DICT
        const dict = new PyDict();
        setItems(dict, popMark());
        stack.push(dict);
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x8f: // EMPTY_SET
        stack.push(new PySet([]));
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const target = top();
        if (!(target instanceof PySet)) fail('ADDITEMS on something that is not a set');
        for (const item of items) (target as PySet).items.push(item);
        break;
      }
      case 0x91: // FROZENSET
        stack.push(new PySet(popMark()));
        break;
      case 0x70: // PUT
        memo.set(Number(textInt(line())), top());
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x67: // GET
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const key = opcode === 0x67 ? Number(textInt(line())) : opcode === 0x68 ? u8() : u32();
        if (!memo.has(key)) fail(`memo entry ${key} was never stored`);
        stack.push(memo.get(key)!);
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = line();
        stack.push(hooks.global(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const global = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof global !== 'string') {
          fail('STACK_GLOBAL on values that are not strings');
        }
        stack.push(hooks.global(module as string, global as string));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = asArgs(pop());
        stack.push(hooks.call(asGlobal(pop(), 'REDUCE'), args));
        break;
      }
      case 0x81: {
        // NEWOBJ: cls.__new__(cls, *args)
        const args = asArgs(pop());
        stack.push(hooks.call(asGlobal(pop(), 'NEWOBJ'), args));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX: keyword arguments are never needed by a state dict
        const kwargs = pop();
        const args = asArgs(pop());
        const cls = asGlobal(pop(), 'NEWOBJ_EX');
        if (!(kwargs instanceof PyDict) || kwargs.entries.size > 0) refuse('NEWOBJ_EX (keywords)');
        stack.push(hooks.call(cls, args));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        stack.push(hooks.build(pop(), state));
        break;
      }
      case 0x51: // BINPERSID
        stack.push(hooks.persistentLoad(pop()));
        break;
      case 0x50: // PERSID
        stack.push(hooks.persistentLoad(line()));
        break;
      case 0x69:
        return refuse('INST');
      case 0x6f:
        return refuse('OBJ');
      case 0x82:
      case 0x83:
      case 0x84:
        return refuse('EXT (the copyreg extension registry)');
      case 0x97:
      case 0x98:
        return refuse('NEXT_BUFFER (out-of-band data)');
      case 0x53:
      case 0x56:
        return fail('protocol-0 STRING/UNICODE opcodes are not supported');
      default:
        return fail(`unknown opcode 0x${opcode.toString(16).padStart(2, '0')}`);
    }
  }
}
