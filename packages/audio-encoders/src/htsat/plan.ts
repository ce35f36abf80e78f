import { ConfigError } from '@clapjs/core';
import { htsatConfigSchema, type HtsatConfig, type HtsatConfigInput } from './config.js';

/** One Swin block: its window and shift after upstream's rule for small resolutions. */
export interface SwinBlockPlan {
  /** Window side actually used: the config's, or the stage's resolution when that is not larger. */
  readonly window: number;
  /** Cyclic shift (window / 2 on odd blocks), 0 when the window covers the whole stage. */
  readonly shift: number;
  /** Drop-path rate when training. */
  readonly dropPath: number;
}

/** One stage: channels, token grid, heads, blocks, and whether patch merging follows. */
export interface SwinStagePlan {
  readonly dim: number;
  readonly resolution: number;
  readonly heads: number;
  readonly blocks: readonly SwinBlockPlan[];
  readonly merge: boolean;
}

/** Everything that decides the shapes and behaviour of an `htsat` encoder. */
export interface HtsatPlan {
  readonly config: HtsatConfig;
  readonly melBins: number;
  /** specSize / melBins: how many time chunks are stacked into the image's rows. */
  readonly freqRatio: number;
  /** Frames the log-mel is resized to (specSize × freqRatio; 1024 for CLAP). */
  readonly frames: number;
  /** Patches per image side. */
  readonly grid: number;
  readonly stages: readonly SwinStagePlan[];
  /** Channels of the last stage: the encoder's output size. */
  readonly outputDim: number;
}

function fail(key: string, message: string): never {
  throw new ConfigError(
    `audioEncoder.${key}`,
    `Invalid config at audioEncoder.${key} (audio-encoder "htsat"): ${message}`,
  );
}

/**
 * Validates an `htsat` config against the mel-bin count and resolves the stage plan (channels,
 * resolutions, windows, shifts) exactly as LAION-CLAP's HTSAT_Swin_Transformer builds it.
 * @throws ConfigError naming the offending key
 */
export function htsatPlan(input: HtsatConfigInput, melBins: number): HtsatPlan {
  const { name: _name, ...rest } = input;
  const parsed = htsatConfigSchema.safeParse(rest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(
      (issue?.path ?? []).map(String).join('.') || 'name',
      `${issue?.message ?? 'invalid value'}.`,
    );
  }
  const config = parsed.data;
  const { specSize, patchSize, embedDim, depths, heads, windowSize } = config;
  if (heads.length !== depths.length)
    fail(
      'heads',
      `heads has ${heads.length} entries but depths has ${depths.length}; give one head count per stage.`,
    );
  if (!Number.isInteger(melBins) || melBins < 1 || specSize % melBins !== 0)
    fail(
      'specSize',
      `specSize ${specSize} must be a multiple of the mel-bin count ${melBins} (the image stacks specSize / melBins time chunks). ` +
        'CLAP uses 64 mel bins with specSize 256.',
    );
  if (specSize % patchSize !== 0)
    fail('patchSize', `patchSize ${patchSize} must divide specSize ${specSize}.`);
  const grid = specSize / patchSize;
  const blockCount = depths.reduce((a, b) => a + b, 0);
  let blockIndex = 0;
  const stages = depths.map((depth, i): SwinStagePlan => {
    const resolution = grid / 2 ** i;
    const dim = embedDim * 2 ** i;
    const stageHeads = heads[i] as number;
    if (
      !Number.isInteger(resolution) ||
      resolution < 1 ||
      (i < depths.length - 1 && resolution % 2 !== 0)
    )
      fail(
        'depths',
        `${depths.length} stages need a patch grid (${grid}) divisible by ${2 ** (depths.length - 1)}; use fewer stages or a larger specSize.`,
      );
    if (dim % stageHeads !== 0)
      fail(`heads.${i}`, `heads ${stageHeads} must divide stage ${i}'s ${dim} channels.`);
    // Upstream: when the window covers the whole stage, it shrinks to the stage and never shifts.
    const covers = resolution <= windowSize;
    const window = covers ? resolution : windowSize;
    if (resolution % window !== 0)
      fail(
        'windowSize',
        `windowSize ${windowSize} must divide stage ${i}'s ${resolution}×${resolution} token grid.`,
      );
    const blocks = Array.from({ length: depth }, (_, b): SwinBlockPlan => {
      const rate = blockCount > 1 ? (config.dropPath * blockIndex) / (blockCount - 1) : 0;
      blockIndex++;
      return {
        window,
        shift: covers || b % 2 === 0 ? 0 : Math.floor(windowSize / 2),
        dropPath: rate,
      };
    });
    return { dim, resolution, heads: stageHeads, blocks, merge: i < depths.length - 1 };
  });
  const freqRatio = specSize / melBins;
  return {
    config,
    melBins,
    freqRatio,
    frames: specSize * freqRatio,
    grid,
    stages,
    outputDim: embedDim * 2 ** (depths.length - 1),
  };
}

/** One weight the encoder creates: our path, tfjs shape, whether the optimizer updates it. */
export interface HtsatParameter {
  readonly path: string;
  readonly shape: readonly number[];
  readonly trainable: boolean;
  /**
   * Initial value, as LAION's `_init_weights`: LayerNorm/BatchNorm `ones`/`zeros`, Linear weights
   * and bias tables `normal` (std 0.02), biases `zeros`, the patch conv PyTorch's default (`patch`).
   */
  readonly init: 'ones' | 'zeros' | 'normal' | 'patch';
  /** Decoupled weight decay applies: matrices, except the bias tables (LAION's no_weight_decay_keywords). */
  readonly decay: boolean;
  /** The PyTorch module the weight comes from: nn.Linear (stored transposed), nn.Conv2d, or other. */
  readonly module: 'linear' | 'conv' | 'other';
}

/**
 * Every weight of an `htsat` encoder in creation order, without allocating any. Paths follow
 * LAION's state_dict names with `/` for `.` (fused `attn/qkv`); dense kernels are `[in, out]`,
 * the patch embedding's kernel `[p, p, 1, embedDim]`.
 */
export function htsatParameters(plan: HtsatPlan): HtsatParameter[] {
  const out: HtsatParameter[] = [];
  const add = (
    path: string,
    shape: number[],
    init: HtsatParameter['init'],
    trainable = true,
    module: HtsatParameter['module'] = 'other',
  ) => out.push({ path, shape, trainable, init, decay: shape.length >= 2, module });
  const norm = (path: string, dim: number) => {
    add(`${path}/weight`, [dim], 'ones');
    add(`${path}/bias`, [dim], 'zeros');
  };
  const linear = (path: string, inDim: number, outDim: number, bias = true) => {
    add(`${path}/weight`, [inDim, outDim], 'normal', true, 'linear');
    if (bias) add(`${path}/bias`, [outDim], 'zeros');
  };
  norm('bn0', plan.melBins);
  add('bn0/running_mean', [plan.melBins], 'zeros', false);
  add('bn0/running_var', [plan.melBins], 'ones', false);
  const { patchSize, embedDim, mlpRatio } = plan.config;
  add('patch_embed/proj/weight', [patchSize, patchSize, 1, embedDim], 'patch', true, 'conv');
  add('patch_embed/proj/bias', [embedDim], 'patch');
  norm('patch_embed/norm', embedDim);
  plan.stages.forEach((stage, i) => {
    const hidden = Math.floor(stage.dim * mlpRatio);
    stage.blocks.forEach((block, b) => {
      const p = `layers/${i}/blocks/${b}`;
      norm(`${p}/norm1`, stage.dim);
      out.push({
        path: `${p}/attn/relative_position_bias_table`,
        shape: [(2 * block.window - 1) ** 2, stage.heads],
        trainable: true,
        init: 'normal',
        decay: false,
        module: 'other',
      });
      linear(`${p}/attn/qkv`, stage.dim, 3 * stage.dim);
      linear(`${p}/attn/proj`, stage.dim, stage.dim);
      norm(`${p}/norm2`, stage.dim);
      linear(`${p}/mlp/fc1`, stage.dim, hidden);
      linear(`${p}/mlp/fc2`, hidden, stage.dim);
    });
    if (stage.merge) {
      linear(`layers/${i}/downsample/reduction`, 4 * stage.dim, 2 * stage.dim, false);
      norm(`layers/${i}/downsample/norm`, 4 * stage.dim);
    }
  });
  norm('norm', plan.outputDim);
  return out;
}
