import { CheckpointError } from './errors.js';
import { PyDict, PySet, PyTuple, TensorRef, type PyValue } from './pickle-values.js';

/** One entry at the top level of a checkpoint (a key of its outermost dict). */
export interface TopLevelEntry {
  readonly key: string;
  /** How many tensors lie under the key (1 for a tensor itself). */
  readonly tensors: number;
  /** `'tensor'`, `'container'` (a dict, list or tuple) or `'value'` (a number, string, …). */
  readonly kind: 'tensor' | 'container' | 'value';
  /** The value itself for a number, string, bool or None (e.g. `epoch`). */
  readonly value?: number | string | boolean | null;
}

/** Containers nested deeper than this are refused (a state dict is 1–4 levels deep). */
const MAX_DEPTH = 32;
/** Longest tensor name; a memoised key repeated at every level could otherwise explode. */
const MAX_NAME = 4096;

function children(value: PyValue): [string, PyValue][] | undefined {
  if (value instanceof PyDict) return [...value.entries].map(([k, v]) => [String(k), v]);
  if (Array.isArray(value)) return value.map((v, i) => [String(i), v]);
  if (value instanceof PyTuple || value instanceof PySet) {
    return value.items.map((v, i) => [String(i), v]);
  }
  return undefined;
}

/**
 * Every tensor under `root`, named by the dotted path of dict keys and list indices that leads
 * to it (`model.audio_encoder.fc1.weight`, `optimizer.state.0.exp_avg`), plus the top level.
 * @throws CheckpointError (`TORCH_FORMAT`) on two tensors with one name, or a pickle nested
 * too deep or sharing containers so much that its paths explode
 */
export function flattenTensors(
  root: PyValue,
  file: string,
  pickleBytes: number,
): { tensors: Map<string, TensorRef>; topLevel: TopLevelEntry[] } {
  const tensors = new Map<string, TensorRef>();
  // Without shared containers every value visited costs the pickle at least a byte; sharing
  // (memo GETs of one dict under many keys) could make the paths explode, so visits are bounded.
  const maxVisits = 2 * pickleBytes + 1024;
  let visits = 0;
  const fail = (why: string): never => {
    throw new CheckpointError(
      'TORCH_FORMAT',
      `${file}: ${why}; it is not a checkpoint of tensors.`,
    );
  };
  const walk = (value: PyValue, path: string, depth: number): number => {
    if (++visits > maxVisits)
      fail(`its pickle reaches more than ${maxVisits} values through shared containers`);
    if (path.length > MAX_NAME) fail(`a tensor name is longer than ${MAX_NAME} characters`);
    if (value instanceof TensorRef) {
      if (tensors.has(path)) fail(`two tensors are both named "${path}"`);
      tensors.set(path, value);
      return 1;
    }
    const items = children(value);
    if (items === undefined) return 0;
    if (depth >= MAX_DEPTH) fail(`its containers nest deeper than ${MAX_DEPTH} levels`);
    let count = 0;
    for (const [key, child] of items)
      count += walk(child, path === '' ? key : `${path}.${key}`, depth + 1);
    return count;
  };
  const topLevel: TopLevelEntry[] = [];
  const items = root instanceof TensorRef ? undefined : children(root);
  if (items === undefined) {
    walk(root, root instanceof TensorRef ? 'tensor' : '', 0);
    return { tensors, topLevel };
  }
  for (const [key, child] of items) {
    const count = walk(child, key, 1);
    const kind = child instanceof TensorRef ? 'tensor' : children(child) ? 'container' : 'value';
    const scalar =
      child === null || ['number', 'string', 'boolean'].includes(typeof child)
        ? (child as number | string | boolean | null)
        : undefined;
    topLevel.push(
      scalar === undefined
        ? { key, tensors: count, kind }
        : { key, tensors: count, kind, value: scalar },
    );
  }
  return { tensors, topLevel };
}
