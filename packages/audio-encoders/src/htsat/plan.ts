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

/** The fusion part of a fused `htsat` (LAION's `aff_2d`): sizes derived from the config. */
export interface HtsatFusionPlan {
  /** Channels inside the fusion block's attention branches: ⌊embedDim / fusionRatio⌋. */
  readonly inter: number;
  /** Columns mel_conv2d (kernel and stride p × 3p) leaves per crop: ⌊(specSize − 3p) / 3p⌋ + 1. */
  readonly cropColumns: number;
  /** The fusion block's BatchNorms: path (under `patch_embed/fusion_model/`) and channels. */
  readonly batchNorms: readonly { readonly path: string; readonly channels: number }[];
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
  /** Input channels: 1, or 4 with fusion (the whole clip shrunk, then three crops). */
  readonly channels: 1 | 4;
  /** The fusion block's sizes, or null without fusion. */
  readonly fusion: HtsatFusionPlan | null;
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
  let fusion: HtsatFusionPlan | null = null;
  if (config.fusion) {
    const inter = Math.floor(embedDim / config.fusionRatio);
    if (inter < 1)
      fail(
        'fusionRatio',
        `fusionRatio ${config.fusionRatio} leaves no channels of embedDim ${embedDim}; use at most ${embedDim}.`,
      );
    if (specSize < 3 * patchSize)
      fail(
        'specSize',
        `fusion's mel_conv2d needs specSize >= 3 × patchSize (${3 * patchSize}), got ${specSize}.`,
      );
    const bn = (path: string, channels: number) => ({
      path: `patch_embed/fusion_model/${path}`,
      channels,
    });
    fusion = {
      inter,
      cropColumns: Math.floor((specSize - 3 * patchSize) / (3 * patchSize)) + 1,
      batchNorms: [
        bn('local_att/1', inter),
        bn('local_att/4', embedDim),
        bn('global_att/2', inter),
        bn('global_att/5', embedDim),
      ],
    };
  }
  return {
    config,
    melBins,
    freqRatio,
    frames: specSize * freqRatio,
    grid,
    stages,
    outputDim: embedDim * 2 ** (depths.length - 1),
    channels: fusion ? 4 : 1,
    fusion,
  };
}

/** One weight the encoder creates: our path, tfjs shape, whether the optimizer updates it. */
export interface HtsatParameter {
  readonly path: string;
  readonly shape: readonly number[];
  readonly trainable: boolean;
  /**
   * Initial value, as LAION's `_init_weights`: LayerNorm/BatchNorm `ones`/`zeros`, Linear weights
   * and bias tables `normal` (std 0.02), biases `zeros`, convolutions PyTorch's default (`conv`,
   * uniform ±1/√fanIn).
   */
  readonly init: 'ones' | 'zeros' | 'normal' | 'conv';
  /** For `conv` weights and biases: the convolution's fan-in. */
  readonly fanIn?: number;
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
  const conv = (path: string, kernel: [number, number], inDim: number, outDim: number) => {
    const fanIn = kernel[0] * kernel[1] * inDim;
    out.push({
      path: `${path}/weight`,
      shape: [...kernel, inDim, outDim],
      trainable: true,
      init: 'conv',
      fanIn,
      decay: true,
      module: 'conv',
    });
    out.push({
      path: `${path}/bias`,
      shape: [outDim],
      trainable: true,
      init: 'conv',
      fanIn,
      decay: false,
      module: 'other',
    });
  };
  const batchNorm = (path: string, dim: number) => {
    norm(path, dim);
    add(`${path}/running_mean`, [dim], 'zeros', false);
    add(`${path}/running_var`, [dim], 'ones', false);
  };
  const norm = (path: string, dim: number) => {
    add(`${path}/weight`, [dim], 'ones');
    add(`${path}/bias`, [dim], 'zeros');
  };
  const linear = (path: string, inDim: number, outDim: number, bias = true) => {
    add(`${path}/weight`, [inDim, outDim], 'normal', true, 'linear');
    if (bias) add(`${path}/bias`, [outDim], 'zeros');
  };
  batchNorm('bn0', plan.melBins);
  const { patchSize, embedDim, mlpRatio } = plan.config;
  conv('patch_embed/proj', [patchSize, patchSize], 1, embedDim);
  norm('patch_embed/norm', embedDim);
  if (plan.fusion) {
    // LAION's PatchEmbed: mel_conv2d (kernel and stride p × 3p) and the AFF block, whose 1×1
    // convolutions sit at local_att.{0,3} and global_att.{1,4} (global_att.0 is the pooling).
    conv('patch_embed/mel_conv2d', [patchSize, 3 * patchSize], 1, embedDim);
    const { inter } = plan.fusion;
    const branch = (name: string, first: number) => {
      const p = `patch_embed/fusion_model/${name}`;
      conv(`${p}/${first}`, [1, 1], embedDim, inter);
      batchNorm(`${p}/${first + 1}`, inter);
      conv(`${p}/${first + 3}`, [1, 1], inter, embedDim);
      batchNorm(`${p}/${first + 4}`, embedDim);
    };
    branch('local_att', 0);
    branch('global_att', 1);
  }
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
