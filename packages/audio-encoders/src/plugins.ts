import { definePlugin } from '@clapjs/core';
import { CnnAudioEncoder } from './cnn-encoder.js';
import { pannConfigSchema, smallConfigSchema } from './config.js';
import { htsatConfigSchema } from './htsat/config.js';
import { HtsatAudioEncoder } from './htsat/encoder.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

const base = {
  kind: 'audio-encoder',
  version: PACKAGE_VERSION,
  coreVersion: '^0.1.0',
  origin: PACKAGE_NAME,
} as const;

/** PANNs' Cnn6: four blocks of one 5×5 conv + BatchNorm + ReLU + 2×2 average pooling; 512-d output at width 1. */
export const cnn6 = definePlugin({
  ...base,
  name: 'cnn6',
  description:
    "PANNs' CNN6 (4 blocks of one 5×5 conv): 4.6 M parameters at width 1 (4.8 M with the 527-class head), 512-d output",
  configSchema: pannConfigSchema,
  create: (config, context) => new CnnAudioEncoder({ ...config, name: 'cnn6' }, context),
});

/** PANNs' Cnn10: four blocks of two 3×3 convs + BatchNorm + ReLU + 2×2 average pooling; 512-d output at width 1. */
export const cnn10 = definePlugin({
  ...base,
  name: 'cnn10',
  description:
    "PANNs' CNN10 (4 blocks of two 3×3 convs): 4.9 M parameters at width 1 (5.2 M with the 527-class head), 512-d output",
  configSchema: pannConfigSchema,
  create: (config, context) => new CnnAudioEncoder({ ...config, name: 'cnn10' }, context),
});

/** PANNs' Cnn14 (msclap's audio encoder): six blocks of two 3×3 convs; 2048-d output at width 1. */
export const cnn14 = definePlugin({
  ...base,
  name: 'cnn14',
  description:
    "PANNs' CNN14 (6 blocks of two 3×3 convs; msclap's encoder): 79.7 M parameters at width 1 (80.8 M with the 527-class head), 2048-d output",
  configSchema: pannConfigSchema,
  create: (config, context) => new CnnAudioEncoder({ ...config, name: 'cnn14' }, context),
});

/** A small, fast CNN for training on CPUs (tfjs-wasm): blocks of one 3×3 conv + BatchNorm + ReLU + 2×2 average pooling. */
export const cnnSmall = definePlugin({
  ...base,
  name: 'cnn-small',
  description:
    'A small CNN (2×2 input pooling, then 4 blocks of one 3×3 conv: 16-32-64-128) for fast training on CPUs, ~145 ms per batch-32 step on wasm',
  configSchema: smallConfigSchema,
  create: (config, context) => new CnnAudioEncoder({ ...config, name: 'cnn-small' }, context),
});

/**
 * HTS-AT, the Swin-Transformer encoder of LAION-CLAP and Hugging Face's CLAP (defaults:
 * HTSAT-tiny, 768-d; see HTSAT_PRESETS for base), with LAION's and HF's state_dict name maps.
 */
export const htsat = definePlugin({
  ...base,
  name: 'htsat',
  description:
    'HTS-AT (Swin Transformer over the log-mel folded into a 256×256 image; LAION-CLAP / HF ClapAudioModel): tiny 27.5 M parameters, 768-d output',
  configSchema: htsatConfigSchema,
  create: (config, context) => new HtsatAudioEncoder({ ...config, name: 'htsat' }, context),
});

/** Every audio encoder plugin of this package. */
export const audioEncoderPlugins = [cnn6, cnn10, cnn14, cnnSmall, htsat] as const;
