import * as tf from '@tensorflow/tfjs-core';
import { ClapError } from '@clapjs/core';
import type { CallOptions, NamedVariable, Projection, Rng } from '@clapjs/core';
import { dense, dropout, gelu, layerNorm, Params } from '@clapjs/layers';

/** Options shared by every projection head. */
export interface ProjectionConfig {
  readonly name: string;
  /** Output size (the joint embedding width). */
  readonly dim: number;
  /** Dropout rate (where each head applies it: see the README). */
  readonly dropout: number;
  /** Whether the linear layers have biases. */
  readonly bias: boolean;
}

/** The `mlp` head's extra options. */
export interface MlpConfig extends ProjectionConfig {
  /** Hidden width. */
  readonly hidden: number;
  readonly activation: 'relu' | 'gelu';
}

/** Features whose shape does not match the head (wrong rank or width). */
export class ProjectionInputError extends ClapError {}

/** One linear layer: `kernel` [in, out] and, optionally, `bias` [out], PyTorch-initialised. */
class Linear {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | undefined;

  constructor(params: Params, inDim: number, outDim: number, bias: boolean) {
    // nn.Linear's default init, uniform(±1/√in) for weight and bias, keeps parity with PyTorch runs.
    const init = { kind: 'torch-default', fanIn: inDim } as const;
    this.kernel = params.weight('kernel', [inDim, outDim], init);
    this.bias = bias ? params.weight('bias', [outDim], init) : undefined;
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    return dense(x, this.kernel as tf.Tensor2D, this.bias as tf.Tensor1D | undefined);
  }
}

/** What every head shares: its weights, config, input check and dropout stream. */
abstract class Head<C extends ProjectionConfig> implements Projection<C & Record<string, unknown>> {
  readonly name: string;
  readonly outputDim: number;
  protected readonly params: Params;
  protected readonly dropoutRng: Rng;

  constructor(
    protected readonly config: C,
    readonly inputDim: number,
    rng: Rng,
  ) {
    this.name = config.name;
    this.outputDim = config.dim;
    // Paths without a prefix: the model adds `audioProjection/` or `textProjection/`.
    this.params = new Params('', rng);
    this.dropoutRng = rng.fork('dropout');
  }

  getConfig(): C & Record<string, unknown> {
    return { ...this.config } as C & Record<string, unknown>;
  }

  variables(): NamedVariable[] {
    return this.params.variables();
  }

  /** Moves the dropout stream onto its fork labelled `label` (core's `Part.reseed`). */
  reseed(label: string): void {
    this.dropoutRng.reseed(label);
  }

  dispose(): void {
    this.params.dispose();
  }

  /**
   * @param x features `[batch, inputDim]`
   * @returns `[batch, dim]`
   * @throws ProjectionInputError when `x` is not `[batch, inputDim]`
   */
  call(x: tf.Tensor2D, options: CallOptions): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.inputDim) {
      throw new ProjectionInputError(
        'PROJECTION_INPUT_SHAPE',
        `${this.name} projection: expected features [batch, ${this.inputDim}], got [${x.shape.join(', ')}]. ` +
          "The encoder's outputDim must equal the inputDim the projection was built with.",
      );
    }
    return tf.tidy(() => this.forward(x, options.training));
  }

  protected drop(x: tf.Tensor2D, training: boolean): tf.Tensor2D {
    return dropout(x, this.config.dropout, this.dropoutRng, training);
  }

  protected abstract forward(x: tf.Tensor2D, training: boolean): tf.Tensor2D;
}

/** `linear`: `fc` (+ dropout on the output when `dropout` > 0). */
export class LinearProjection extends Head<ProjectionConfig> {
  private readonly fc: Linear;

  constructor(config: ProjectionConfig, inputDim: number, rng: Rng) {
    super(config, inputDim, rng);
    this.fc = new Linear(this.params.child('fc'), inputDim, config.dim, config.bias);
  }

  protected forward(x: tf.Tensor2D, training: boolean): tf.Tensor2D {
    return this.drop(this.fc.apply(x), training);
  }
}

/** `mlp` (LAION-CLAP): `fc1` → ReLU | GELU → dropout → `fc2`. */
export class MlpProjection extends Head<MlpConfig> {
  private readonly fc1: Linear;
  private readonly fc2: Linear;

  constructor(config: MlpConfig, inputDim: number, rng: Rng) {
    super(config, inputDim, rng);
    this.fc1 = new Linear(this.params.child('fc1'), inputDim, config.hidden, config.bias);
    this.fc2 = new Linear(this.params.child('fc2'), config.hidden, config.dim, config.bias);
  }

  protected forward(x: tf.Tensor2D, training: boolean): tf.Tensor2D {
    const h = this.fc1.apply(x);
    const activated = this.config.activation === 'gelu' ? gelu(h) : tf.relu(h);
    return this.fc2.apply(this.drop(activated, training));
  }
}

/**
 * `residual` (msclap's Projection): `e1 = fc1(x)`, `e2 = dropout(fc2(gelu(e1)))`,
 * `layerNorm(e1 + e2)` with `norm/gamma`, `norm/beta`.
 */
export class ResidualProjection extends Head<ProjectionConfig> {
  private readonly fc1: Linear;
  private readonly fc2: Linear;
  private readonly gamma: tf.Variable;
  private readonly beta: tf.Variable;

  constructor(config: ProjectionConfig, inputDim: number, rng: Rng) {
    super(config, inputDim, rng);
    this.fc1 = new Linear(this.params.child('fc1'), inputDim, config.dim, config.bias);
    this.fc2 = new Linear(this.params.child('fc2'), config.dim, config.dim, config.bias);
    const norm = this.params.child('norm');
    this.gamma = norm.weight('gamma', [config.dim], { kind: 'ones' });
    this.beta = norm.weight('beta', [config.dim], { kind: 'zeros' });
  }

  protected forward(x: tf.Tensor2D, training: boolean): tf.Tensor2D {
    const e1 = this.fc1.apply(x);
    const e2 = this.drop(this.fc2.apply(gelu(e1)), training);
    return layerNorm(
      tf.add<tf.Tensor2D>(e1, e2),
      this.gamma as tf.Tensor1D,
      this.beta as tf.Tensor1D,
    );
  }
}
