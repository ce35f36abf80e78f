// One object on globalThis under a registered symbol holds every package's process-wide state, so
// the ESM and CJS copies of a package (or a bundle carrying its own copy) share one instance, as
// tfjs does with its kernel registry.
const HOLDER = Symbol.for('@clapjs/core/shared-state');

/**
 * The process-wide value stored under `key` (by convention the owning package's name and a
 * suffix, e.g. `@clapjs/kernels-native/addons`), created by `init` on first use. Every copy of
 * every clapjs package that asks for the same key gets the same object.
 */
export function sharedState<T>(key: string, init: () => T): T {
  const g = globalThis as unknown as Record<symbol, Map<string, unknown> | undefined>;
  const states = (g[HOLDER] ??= new Map());
  if (!states.has(key)) states.set(key, init());
  return states.get(key) as T;
}
