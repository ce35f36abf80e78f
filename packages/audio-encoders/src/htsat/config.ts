import { z } from '@clapjs/core';
import { batchNormConfig } from '../config.js';

const positiveInt = (what: string) =>
  z.int(`${what} must be an integer`).positive(`${what} must be > 0`);

/**
 * Config of the `htsat` audio encoder (HTS-AT, the Swin-Transformer audio encoder of LAION-CLAP
 * and Hugging Face's ClapAudioModel). Defaults are HTSAT-tiny, LAION-CLAP's unfused checkpoints'
 * encoder; {@link HTSAT_PRESETS} has tiny and base.
 */
export const htsatConfigSchema = z.strictObject({
  /** Side of the square image the log-mel is folded into (upstream `spec_size`). */
  specSize: positiveInt('specSize').default(256),
  /** Side of the square, non-overlapping patches (upstream `patch_size` = `patch_stride`). */
  patchSize: positiveInt('patchSize').default(4),
  /** Channels of the first stage; each later stage doubles them (`embed_dim`). */
  embedDim: positiveInt('embedDim').default(96),
  /** Swin blocks per stage (`depths`). */
  depths: z
    .array(positiveInt('depths'))
    .min(1, 'depths needs at least one stage')
    .default([2, 2, 6, 2]),
  /** Attention heads per stage (`num_heads`); each must divide its stage's channels. */
  heads: z
    .array(positiveInt('heads'))
    .min(1, 'heads needs at least one stage')
    .default([4, 8, 16, 32]),
  /** Side of the attention windows (`window_size`); odd blocks shift them by half. */
  windowSize: positiveInt('windowSize').default(8),
  /** Hidden size of each block's MLP as a multiple of its channels (`mlp_ratio`). */
  mlpRatio: z.number().positive('mlpRatio must be > 0').default(4),
  /**
   * Dropout on each block's MLP output when training: 0 in LAION-CLAP (`drop_rate`), 0.1 in
   * Hugging Face's ClapAudioConfig (`hidden_dropout_prob`, applied after `output.dense`).
   */
  mlpDropout: z
    .number()
    .min(0, 'mlpDropout must be in [0, 1)')
    .lt(1, 'mlpDropout must be in [0, 1)')
    .default(0),
  /**
   * Stochastic depth: the drop-path rate of the last block, rising linearly from 0 over the
   * blocks when training (LAION's `drop_path_rate`, 0.1).
   */
  dropPath: z
    .number()
    .min(0, 'dropPath must be in [0, 1)')
    .lt(1, 'dropPath must be in [0, 1)')
    .default(0.1),
  /** Epsilon of the blocks' LayerNorms (HF `layer_norm_eps`); the others use PyTorch's 1e-5. */
  layerNormEpsilon: z.number().positive('layerNormEpsilon must be > 0').default(1e-5),
  /**
   * LAION-CLAP's feature fusion for long clips (`enable_fusion` with `fusion_type: aff_2d`; Hugging
   * Face `enable_fusion`): the input then has 4 channels (the whole clip shrunk, three crops; see
   * @clapjs/audio's `fusionLogMel`), the crops go through `patch_embed.mel_conv2d` and are fused
   * into the whole clip's patch embedding by the attentional feature fusion block
   * (`patch_embed.fusion_model`) for clips longer than the window.
   */
  fusion: z.boolean().default(false),
  /** Channel reduction of the fusion block's attention branches (upstream `r`, HF `aff_block_r`). */
  fusionRatio: positiveInt('fusionRatio').default(4),
  /** bn0's momentum and epsilon (PyTorch defaults 0.1, 1e-5). */
  ...batchNormConfig,
});

/** A validated `htsat` config. */
export type HtsatConfig = z.output<typeof htsatConfigSchema>;

/** An `htsat` config as written by users: omitted keys take their defaults (HTSAT-tiny). */
export type HtsatConfigInput = { readonly name: 'htsat' } & Partial<
  z.input<typeof htsatConfigSchema>
>;

/**
 * The HTS-AT sizes of the published CLAP checkpoints: tiny (768-d; LAION `630k-*`,
 * `music_speech_*`, HF `laion/clap-htsat-unfused`; with `fusion: true` LAION's `*-fusion-*` and
 * HF `laion/clap-htsat-fused`) and base (1024-d; HF `laion/larger_clap_*`).
 */
export const HTSAT_PRESETS = {
  tiny: { name: 'htsat', embedDim: 96, depths: [2, 2, 6, 2], heads: [4, 8, 16, 32] },
  base: { name: 'htsat', embedDim: 128, depths: [2, 2, 12, 2], heads: [4, 8, 16, 32] },
} as const satisfies Record<string, HtsatConfigInput>;
