import { ImportError } from './errors.js';

/** One `--set key=value`: a dotted config key and its parsed value. */
export interface ConfigOverride {
  readonly key: string;
  readonly value: unknown;
}

const KEY = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)+$/;

/**
 * Parses `key=value` pairs (`textEncoder.heads=12`, `audio.preset=msclap-2022`). Values are read
 * as JSON when they parse (numbers, booleans, null, arrays), as plain strings otherwise.
 * @throws ImportError `IMPORT_SET_INVALID` naming the malformed pair
 */
export function parseOverrides(pairs: readonly string[]): ConfigOverride[] {
  return pairs.map((pair) => {
    const at = pair.indexOf('=');
    const key = at < 0 ? pair : pair.slice(0, at);
    if (at < 0 || !KEY.test(key)) {
      throw new ImportError(
        'IMPORT_SET_INVALID',
        `--set "${pair}" is not key=value with a dotted config key; write e.g. --set textEncoder.heads=12.`,
      );
    }
    const raw = pair.slice(at + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // not JSON: keep the string
    }
    return { key, value };
  });
}

/** A copy of `config` with each override set at its dotted key (objects created as needed). */
export function applyOverrides<T extends object>(
  config: T,
  overrides: readonly ConfigOverride[],
): T {
  const out = structuredClone(config) as Record<string, unknown>;
  for (const { key, value } of overrides) {
    const path = key.split('.');
    let node = out;
    for (const part of path.slice(0, -1)) {
      const next = node[part];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = value;
  }
  return out as T;
}
