import * as tf from '@tensorflow/tfjs-core';
import {
  ADAM_UPDATE_KERNEL,
  GLOBAL_NORM_KERNEL,
  type AdamUpdateAttrs,
  type NamedVariable,
} from '@clapjs/core';
import { TrainerError } from './errors.js';

/** Adam's hyper-parameters. */
export interface AdamOptions {
  /**
   * `adamw`: decoupled weight decay (Loshchilov & Hutter), `p ← p − lr·wd·p`; `adam`: classic L2,
   * `g ← g + wd·p`. Either way only variables with `decay: true` are decayed (no biases, norms
   * or the logit scale).
   */
  readonly kind: 'adam' | 'adamw';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
}

/** The optimizer's saveable state: the step count and both moments of each variable. */
export interface OptimizerState {
  readonly t: number;
  readonly moments: ReadonlyMap<string, { readonly m: Float32Array; readonly v: Float32Array }>;
}

interface Slot {
  readonly named: NamedVariable;
  readonly m: tf.Variable;
  readonly v: tf.Variable;
}

/**
 * Adam / AdamW over named variables. Written here rather than using tf.train.adam so that the
 * moments are addressable by variable path and can be checkpointed and restored exactly.
 */
export class AdamOptimizer {
  private readonly slots: Slot[];
  private t = 0;

  constructor(
    variables: readonly NamedVariable[],
    readonly options: AdamOptions,
  ) {
    this.slots = variables
      .filter((v) => v.trainable)
      .map((named) => ({
        named,
        // In a tidy: the zeros would otherwise stay alive beside the first update's moments.
        m: tf.tidy(() => tf.variable(tf.zerosLike(named.variable), false)),
        v: tf.tidy(() => tf.variable(tf.zerosLike(named.variable), false)),
      }));
  }

  /** The number of updates applied so far. */
  get step(): number {
    return this.t;
  }

  /** The trainable variables this optimizer updates, in order. */
  get variables(): NamedVariable[] {
    return this.slots.map((s) => s.named);
  }

  /**
   * Applies one update. `grads` is keyed by tfjs variable name (as tf.variableGrads returns);
   * a variable without a gradient is left untouched. `scale` multiplies every gradient first
   * (global-norm clipping). Where the active backend registers @clapjs/core's
   * `ADAM_UPDATE_KERNEL` (e.g. @clapjs/kernels-webgpu), each variable is updated by that kernel
   * (one dispatch on webgpu) with the same float32 maths; elsewhere by the tfjs ops below.
   */
  apply(grads: tf.NamedTensorMap, lr: number, scale = 1): void {
    this.t += 1;
    const { beta1, beta2, epsilon, weightDecay, kind } = this.options;
    const c1 = 1 - beta1 ** this.t;
    const c2 = 1 - beta2 ** this.t;
    const fused = tf.getKernel(ADAM_UPDATE_KERNEL, tf.getBackend()) !== undefined;
    // One variable at a time, each temporary freed as soon as it is used: the peak is a few
    // copies of the largest variable, not ~16 copies of every weight (a full CNN14's update alone
    // would need ~5 GB: more than the wasm backend's 4 GiB heap holds).
    for (const slot of this.slots) {
      const p = slot.named.variable;
      const raw = grads[p.name];
      if (raw === undefined) continue;
      const decay = slot.named.decay && weightDecay > 0;
      if (fused) {
        this.fusedUpdate(slot, raw, {
          kind,
          lr,
          scale,
          beta1,
          beta2,
          epsilon,
          step: this.t,
          weightDecay: decay ? weightDecay : 0,
        });
        continue;
      }
      const g = tf.tidy(() => {
        const scaled = scale === 1 ? raw : tf.mul(raw, scale);
        return decay && kind === 'adam' ? tf.add(scaled, tf.mul(p, weightDecay)) : scaled;
      });
      const m = tf.tidy(() => tf.add(tf.mul(slot.m, beta1), tf.mul(g, 1 - beta1)));
      slot.m.assign(m);
      m.dispose();
      const v = tf.tidy(() => tf.add(tf.mul(slot.v, beta2), tf.mul(tf.square(g), 1 - beta2)));
      slot.v.assign(v);
      v.dispose();
      if (g !== raw) g.dispose();
      // Adam's step m̂ / (√v̂ + ε), built in pieces so at most three copies of `p` are alive.
      const denominator = tf.tidy(() => tf.add(tf.sqrt(tf.div(slot.v, c2)), epsilon));
      const update = tf.tidy(() => tf.div(tf.mul(slot.m, lr / c1), denominator));
      denominator.dispose();
      const next = tf.tidy(() => {
        const stepped = tf.sub(p, update);
        return decay && kind === 'adamw' ? tf.sub(stepped, tf.mul(p, lr * weightDecay)) : stepped;
      });
      update.dispose();
      p.assign(next);
      next.dispose();
    }
  }

  /** One variable's update by the backend's fused kernel: new p, m, v, swapped in (no copies). */
  private fusedUpdate(slot: Slot, gradient: tf.Tensor, attrs: AdamUpdateAttrs): void {
    const [p, m, v] = tf
      .engine()
      .runKernel(
        ADAM_UPDATE_KERNEL,
        { variable: slot.named.variable, m: slot.m, v: slot.v, gradient },
        attrs as unknown as tf.NamedAttrMap,
      ) as tf.Tensor[];
    slot.named.variable.assign(p!);
    slot.m.assign(m!);
    slot.v.assign(v!);
    tf.dispose([p!, m!, v!]);
  }

  /** Copies the moments out (for a checkpoint), reading asynchronously: works on every backend. */
  async readState(): Promise<OptimizerState> {
    const moments = new Map<string, { m: Float32Array; v: Float32Array }>();
    for (const s of this.slots) {
      const [m, v] = await Promise.all([s.m.data(), s.v.data()]);
      moments.set(s.named.path, { m: m as Float32Array, v: v as Float32Array });
    }
    return { t: this.t, moments };
  }

  /**
   * Copies the moments out synchronously (for a checkpoint); prefer {@link readState}, since
   * WebGPU in Node cannot read synchronously.
   */
  getState(): OptimizerState {
    const moments = new Map<string, { m: Float32Array; v: Float32Array }>();
    for (const s of this.slots) {
      moments.set(s.named.path, {
        m: s.m.dataSync() as Float32Array,
        v: s.v.dataSync() as Float32Array,
      });
    }
    return { t: this.t, moments };
  }

  /**
   * Restores moments saved by {@link getState}.
   * @throws TrainerError when a variable's moments are missing or have the wrong size
   */
  setState(state: OptimizerState): void {
    for (const s of this.slots) {
      const saved = state.moments.get(s.named.path);
      const size = s.m.size;
      if (saved === undefined || saved.m.length !== size || saved.v.length !== size) {
        throw new TrainerError(
          'CHECKPOINT_MISMATCH',
          `The checkpoint's optimizer state has no moments of size ${size} for "${s.named.path}"; ` +
            'it was written for a different model. Resume with the config the checkpoint was trained with.',
        );
      }
      tf.tidy(() => {
        s.m.assign(tf.tensor(saved.m, s.m.shape));
        s.v.assign(tf.tensor(saved.v, s.v.shape));
      });
    }
    this.t = state.t;
  }

  /** Frees the moments. */
  dispose(): void {
    for (const s of this.slots) {
      s.m.dispose();
      s.v.dispose();
    }
  }
}

/**
 * `sqrt(Σ‖g‖²)` over every gradient, as a scalar tensor (one read for the NaN guard): one call of
 * the backend's fused kernel (core's GLOBAL_NORM_KERNEL) where a kernel pack registered it and
 * every gradient is float32, a square and a sum per gradient otherwise.
 */
export function globalNorm(grads: readonly tf.Tensor[]): tf.Scalar {
  if (
    grads.length > 0 &&
    grads.every((g) => g.dtype === 'float32') &&
    tf.getKernel(GLOBAL_NORM_KERNEL, tf.getBackend()) !== undefined
  )
    return tf
      .engine()
      .runKernel(GLOBAL_NORM_KERNEL, grads as unknown as tf.NamedTensorMap) as tf.Scalar;
  // Each square is freed once summed: one gradient's copy at a time, not a copy of every one.
  const sums = grads.map((g) => tf.tidy(() => tf.sum(tf.square(g))));
  const norm = tf.tidy(() => tf.sqrt(tf.addN(sums)) as tf.Scalar);
  tf.dispose(sums);
  return norm;
}
