import * as tf from '@tensorflow/tfjs-core';
import type { NamedVariable, Rng } from '@clapjs/core';

/** How to fill a new weight. */
export type Initializer =
  | { readonly kind: 'zeros' }
  | { readonly kind: 'ones' }
  | { readonly kind: 'normal'; readonly std: number }
  /** Glorot/Xavier uniform over fanIn + fanOut. */
  | { readonly kind: 'glorot'; readonly fanIn: number; readonly fanOut: number }
  /** He/Kaiming normal over fanIn (ReLU layers). */
  | { readonly kind: 'he'; readonly fanIn: number }
  /** PyTorch's default for nn.Linear / nn.Conv: uniform(±1/√fanIn). */
  | { readonly kind: 'torch-default'; readonly fanIn: number };

function fill(init: Initializer, size: number, rng: Rng): Float32Array {
  switch (init.kind) {
    case 'zeros':
      return new Float32Array(size);
    case 'ones':
      return new Float32Array(size).fill(1);
    case 'normal':
      return rng.normalArray(size, 0, init.std);
    case 'glorot': {
      const limit = Math.sqrt(6 / (init.fanIn + init.fanOut));
      return rng.uniformArray(size, -limit, limit);
    }
    case 'he':
      return rng.normalArray(size, 0, Math.sqrt(2 / init.fanIn));
    case 'torch-default': {
      const limit = 1 / Math.sqrt(init.fanIn);
      return rng.uniformArray(size, -limit, limit);
    }
  }
}

/** Options of one weight. */
export interface WeightOptions {
  /** Updated by the optimizer (default true). BatchNorm moving statistics are not. */
  readonly trainable?: boolean;
  /** Decoupled weight decay applies (default: true for rank ≥ 2 weights, false for vectors). */
  readonly decay?: boolean;
}

/**
 * Creates and owns the named weights of one part. Paths are `prefix/name` and stay stable so
 * that save/load, optimizers and safetensors name maps can find each weight. Initial values come
 * from the seeded {@link Rng}, so the same seed gives the same model on every backend.
 */
export class Params {
  private readonly entries: NamedVariable[];

  constructor(
    private readonly prefix: string,
    private readonly rng: Rng,
    entries?: NamedVariable[],
  ) {
    this.entries = entries ?? [];
  }

  /** A view that creates weights under `prefix/name/…` in the same collection. */
  child(name: string): Params {
    return new Params(this.path(name), this.rng, this.entries);
  }

  /** Creates one weight. */
  weight(
    name: string,
    shape: readonly number[],
    init: Initializer,
    options: WeightOptions = {},
  ): tf.Variable {
    const path = this.path(name);
    if (this.entries.some((e) => e.path === path))
      throw new Error(`Params: weight "${path}" was created twice`);
    const size = shape.reduce((a, b) => a * b, 1);
    const values = fill(init, size, this.rng.fork(path));
    const trainable = options.trainable ?? true;
    const initial = tf.tensor(values, [...shape], 'float32');
    const variable = tf.variable(initial, trainable, `${path}_${nextId++}`);
    initial.dispose(); // the variable holds its own reference to the data
    this.entries.push({
      path,
      variable,
      trainable,
      decay: options.decay ?? (trainable && shape.length >= 2),
    });
    return variable;
  }

  /** Every weight created through this collection (and its children), in creation order. */
  variables(): NamedVariable[] {
    return [...this.entries];
  }

  /** Frees every weight of the collection. */
  dispose(): void {
    for (const entry of this.entries) entry.variable.dispose();
    this.entries.length = 0;
  }

  private path(name: string): string {
    return this.prefix === '' ? name : `${this.prefix}/${name}`;
  }
}

// tfjs variable names are global; a counter keeps two models in one process apart.
let nextId = 0;
