import { getBackend, getKernel } from '@tensorflow/tfjs-core';
import type { BackendName } from './backend.js';
import { sharedState } from './shared-state.js';

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

// Shared by the ESM and CJS copies of core (and a pack bundled with its own copy).
function table(): Map<string, KernelPackStatus> {
  return sharedState('@clapjs/core/kernel-packs', () => new Map<string, KernelPackStatus>());
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

/**
 * What a kernel pack's kernels promise beyond computing their op, so that parts choose the fast
 * formulation for the kernels registered now without knowing which pack provides them:
 * - `transposed-matmul`: BatchMatMul reads transposed operands at the speed of plain ones, so
 *   tf.matMul's own gradient (which transposes) is fast.
 * - `conv2d-gradient-kernels`: Conv2DBackpropFilter and Conv2DBackpropInput are faster than
 *   writing the convolution's gradients as forward convolutions.
 */
export type KernelCapability = 'transposed-matmul' | 'conv2d-gradient-kernels';

/** The kernels that must all promise a capability for {@link hasKernelCapability} to hold. */
export const KERNEL_CAPABILITY_KERNELS: Readonly<Record<KernelCapability, readonly string[]>> = {
  'transposed-matmul': ['BatchMatMul'],
  'conv2d-gradient-kernels': ['Conv2DBackpropFilter', 'Conv2DBackpropInput'],
};

/** Who registered a kernel config, and what it promises. */
export interface KernelClaim {
  /** The pack's npm name, e.g. `@clapjs/kernels-wasm`. */
  readonly pack: string;
  /** Capabilities this kernel contributes to (see {@link KernelCapability}). */
  readonly capabilities: readonly KernelCapability[];
}

function claims(): WeakMap<object, KernelClaim> {
  return sharedState('@clapjs/core/kernel-claims', () => new WeakMap<object, KernelClaim>());
}

/**
 * Records that `pack` registers `config` (a tfjs `KernelConfig`), with the capabilities it
 * promises. Kernel packs call this for every config they hand to tfjs's `registerKernel`.
 */
export function claimKernel(
  config: object,
  pack: string,
  capabilities: readonly KernelCapability[] = [],
): void {
  claims().set(config, { pack, capabilities: [...capabilities] });
}

/** The claim on a kernel config (see {@link claimKernel}); undefined for tfjs's own kernels. */
export function kernelClaim(config: object | undefined): KernelClaim | undefined {
  return config === undefined ? undefined : claims().get(config);
}

/** The claim on the kernel registered now for `kernelName` on `backend`, if a pack claimed it. */
export function registeredKernelClaim(
  kernelName: string,
  backend: string,
): KernelClaim | undefined {
  return kernelClaim(getKernel(kernelName, backend));
}

/**
 * Whether the kernels registered now for `backend` (default: the active backend) provide
 * `capability`: each kernel the capability names is claimed by a pack that promises it.
 */
export function hasKernelCapability(
  capability: KernelCapability,
  backend: string = getBackend(),
): boolean {
  return KERNEL_CAPABILITY_KERNELS[capability].every(
    (name) => registeredKernelClaim(name, backend)?.capabilities.includes(capability) === true,
  );
}

/**
 * The tfjs kernel name of a fused Adam/AdamW update, for packs that provide it on their backend
 * (the trainer's optimizer uses it when `getKernel(ADAM_UPDATE_KERNEL, backend)` is registered,
 * its own tfjs ops otherwise). Inputs `{ variable, m, v, gradient }` (float32, one shape); attrs
 * {@link AdamUpdateAttrs}; outputs `[variable′, m′, v′]` as new tensors (the inputs are not
 * changed), computed elementwise in float32 exactly as these ops would:
 * `g = gradient·scale (+ variable·weightDecay for 'adam')`, `m′ = m·β1 + g·(1−β1)`,
 * `v′ = v·β2 + g²·(1−β2)`, `variable′ = variable − (m′·(lr/c1)) / (√(v′/c2) + ε)
 * (− variable·(lr·weightDecay) for 'adamw')` with `c1 = 1−β1^step`, `c2 = 1−β2^step`; every
 * constant is rounded to float32 once, from its double-precision value.
 */
export const ADAM_UPDATE_KERNEL = 'ClapjsAdamUpdate';

/** The attributes of {@link ADAM_UPDATE_KERNEL}. */
export interface AdamUpdateAttrs {
  /** `adam`: weight decay folded into the gradient (L2); `adamw`: decoupled. */
  readonly kind: 'adam' | 'adamw';
  readonly lr: number;
  /** Multiplies the gradient first (global-norm clipping); 1 for none. */
  readonly scale: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** 0 for a variable that is not decayed. */
  readonly weightDecay: number;
  /** The update's 1-based step count `t` (bias corrections `1 − β^t`). */
  readonly step: number;
}

/**
 * The tfjs kernel names of the fused symmetric CLAP cross-entropy, for packs that provide it on
 * their backend (@clapjs/losses' `symmetricClapLoss` uses them when both are registered for the
 * active backend, its composed tfjs ops otherwise; @clapjs/kernels-webgpu provides them).
 *
 * {@link SYMMETRIC_CE_LSE_KERNEL}: input `{ x }`, the logits C (float32 `[N, N]`, rows = texts,
 * columns = audios); output float32 `[2, N]`: row 0 holds each row's log Σ_j exp C_ij, row 1
 * each column's log Σ_i exp C_ij, computed stably (maximum subtracted).
 */
export const SYMMETRIC_CE_LSE_KERNEL = 'ClapjsLogSumExpRowsCols';

/**
 * The gradient half of the fused symmetric CLAP cross-entropy (see
 * {@link SYMMETRIC_CE_LSE_KERNEL}): inputs `{ x, lse, dy }` — C `[N, N]`, the `[2, N]` log-sum-exps
 * the forward kernel returned for it, the upstream gradient as float32 `[1]`; output float32
 * `[N, N]`: `dy / (2N) · (exp(C_ij − lse_0i) + exp(C_ij − lse_1j) − 2·[i = j])`, the gradient of
 * `½ (mean_i(lse_0i − C_ii) + mean_j(lse_1j − C_jj))` with respect to C.
 */
export const SYMMETRIC_CE_GRAD_KERNEL = 'ClapjsSymmetricCrossEntropyGrad';
