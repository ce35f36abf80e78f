import type { BackendName } from './backend.js';

/**
 * What a kernel pack reports about itself when it registers (or fails to): core shows it in
 * {@link selectBackend}'s report, so a user sees which kernels their backend runs and, when an
 * optional pack (e.g. a native addon) could not load, why and how to fix it.
 */
export interface KernelPackStatus {
  /** The pack's npm name, e.g. `@clapjs/kernels-native`. */
  readonly name: string;
  /** The backend whose kernels it provides. */
  readonly backend: BackendName;
  /** Whether its kernels are registered. */
  readonly loaded: boolean;
  /** Loaded: what it is (e.g. `oneDNN 2.6.3, 2 threads`); not loaded: why, and the fix. */
  readonly detail: string;
}

// On globalThis under a registered symbol, so the ESM and CJS copies of core (and a pack bundled
// with its own copy) share one table, as the plugin registry does.
const KEY = Symbol.for('@clapjs/core/kernel-packs');

function table(): Map<string, KernelPackStatus> {
  const g = globalThis as unknown as Record<symbol, Map<string, KernelPackStatus> | undefined>;
  return (g[KEY] ??= new Map());
}

/**
 * Records a kernel pack's status (the latest report of a pack replaces its earlier one).
 * Kernel packs call this from their register function, whether or not they loaded.
 */
export function reportKernelPack(status: KernelPackStatus): void {
  table().set(status.name, { ...status });
}

/** The kernel packs reported so far, in report order; only those of `backend` when given. */
export function kernelPackStatuses(backend?: BackendName): KernelPackStatus[] {
  return [...table().values()].filter((s) => backend === undefined || s.backend === backend);
}
