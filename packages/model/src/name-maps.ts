import { pannsNameMap, type AudioEncoderConfig, type PannsTransform } from '@clapjs/audio-encoders';
import { ConfigError } from '@clapjs/core';
import { bertNameMap } from '@clapjs/text-encoders';
import type { ClapModelConfig } from './config.js';
import type { NameMap, TensorLayout } from './convert.js';

const LAYOUT: Record<PannsTransform, TensorLayout> = {
  none: 'same',
  transpose: 'linear',
  'oihw-to-hwio': 'conv2d',
};

/**
 * PANNs' state_dict names (github.com/qiuqiangkong/audioset_tagging_cnn) for the model's `cnn6`,
 * `cnn10` or `cnn14` audio encoder: `conv_blockN.convM.weight` (conv2d layout), `conv_blockN.bnM.*`
 * and `bn0.*` (BatchNorm weight, bias, running_mean, running_var), `fc1.weight` (linear layout),
 * `fc1.bias`, and `fc_audioset.*` when the config has `classes`. The STFT/log-mel front end
 * (`spectrogram_extractor.*`, `logmel_extractor.*`) has no counterpart: clapjs computes log-mel in
 * @clapjs/audio, so those tensors are reported as unused on import.
 * @param theirsPrefix prepended to every PANNs name (msclap: `audio_encoder.base.`)
 */
export function pannsAudioEncoderNameMap(config: ClapModelConfig, theirsPrefix = ''): NameMap {
  const encoder = config.audioEncoder as AudioEncoderConfig;
  if (!['cnn6', 'cnn10', 'cnn14'].includes(encoder.name)) {
    throw new ConfigError(
      'audioEncoder.name',
      `PANNs names exist for cnn6, cnn10 and cnn14, not "${encoder.name}".`,
    );
  }
  return pannsNameMap(encoder, config.audio.nMels ?? 64).map((e) => ({
    ours: `audioEncoder/${e.path}`,
    theirs: `${theirsPrefix}${e.pannsName}`,
    layout: LAYOUT[e.transform],
  }));
}

/**
 * Hugging Face `BertModel` names for the model's post-LN `transformer` text encoder (see
 * `bertNameMap` in @clapjs/text-encoders for the table): `embeddings.*`, `encoder.layer.N.*`;
 * dense kernels in the linear layout. BERT's pooler has no counterpart (clapjs pools [CLS]).
 * @param theirsPrefix prepended to every name (`bert.` for BertForMaskedLM checkpoints, msclap:
 * `caption_encoder.base.`)
 * @throws ConfigError (`textEncoder.norm`) for a pre-LN transformer
 */
export function bertTextEncoderNameMap(config: ClapModelConfig, theirsPrefix = ''): NameMap {
  const text = config.textEncoder as {
    name: string;
    layers?: number;
    norm?: 'pre' | 'post';
    tokenTypes?: number;
  };
  if (text.name !== 'transformer') {
    throw new ConfigError(
      'textEncoder.name',
      `BERT names exist for the "transformer" text encoder, not "${text.name}".`,
    );
  }
  const map = bertNameMap({
    layers: text.layers ?? 2,
    norm: text.norm ?? 'pre',
    tokenTypes: text.tokenTypes ?? 0,
  });
  return [...map].map(([path, { name, transpose }]) => ({
    ours: `textEncoder/${path}`,
    theirs: `${theirsPrefix}${name}`,
    layout: transpose ? ('linear' as const) : ('same' as const),
  }));
}

/**
 * msclap's `Projection` names (Linear → GELU → Linear → Dropout → residual → LayerNorm) for a
 * `residual` projection: `linear1.weight`, `linear2.weight` (linear layout; `.bias` too when the
 * config has `bias: true`, msclap has none), `layer_norm.weight`, `layer_norm.bias`.
 * @param slot which projection
 * @param theirsPrefix msclap: `audio_encoder.projection.` or `caption_encoder.projection.`
 */
export function msclapProjectionNameMap(
  config: ClapModelConfig,
  slot: 'audioProjection' | 'textProjection',
  theirsPrefix = '',
): NameMap {
  const projection = config[slot] as { name: string; bias?: boolean };
  if (projection.name !== 'residual') {
    throw new ConfigError(
      `${slot}.name`,
      `msclap projection names exist for the "residual" projection, not "${projection.name}".`,
    );
  }
  const entries: { ours: string; theirs: string; layout: TensorLayout }[] = [];
  for (const [ours, theirs] of [
    ['fc1', 'linear1'],
    ['fc2', 'linear2'],
  ] as const) {
    entries.push({
      ours: `${slot}/${ours}/kernel`,
      theirs: `${theirsPrefix}${theirs}.weight`,
      layout: 'linear',
    });
    if (projection.bias === true)
      entries.push({
        ours: `${slot}/${ours}/bias`,
        theirs: `${theirsPrefix}${theirs}.bias`,
        layout: 'same',
      });
  }
  entries.push({
    ours: `${slot}/norm/gamma`,
    theirs: `${theirsPrefix}layer_norm.weight`,
    layout: 'same',
  });
  entries.push({
    ours: `${slot}/norm/beta`,
    theirs: `${theirsPrefix}layer_norm.bias`,
    layout: 'same',
  });
  return entries;
}

/**
 * The whole msclap (Microsoft CLAP 2022) checkpoint layout for a model with a `cnn14` audio
 * encoder, a post-LN `transformer` (BERT) text encoder and `residual` projections:
 *
 * | clapjs | msclap |
 * |---|---|
 * | `audioEncoder/…` | `audio_encoder.base.` + PANNs names |
 * | `audioProjection/…` | `audio_encoder.projection.` + msclap projection names |
 * | `textEncoder/…` | `caption_encoder.base.` + Hugging Face BERT names |
 * | `textProjection/…` | `caption_encoder.projection.` + msclap projection names |
 * | `similarity/logit_scale` | `logit_scale` (both store log s) |
 */
export function msclapNameMap(config: ClapModelConfig): NameMap {
  return [
    ...pannsAudioEncoderNameMap(config, 'audio_encoder.base.'),
    ...msclapProjectionNameMap(config, 'audioProjection', 'audio_encoder.projection.'),
    ...bertTextEncoderNameMap(config, 'caption_encoder.base.'),
    ...msclapProjectionNameMap(config, 'textProjection', 'caption_encoder.projection.'),
    { ours: 'similarity/logit_scale', theirs: 'logit_scale', layout: 'same' },
  ];
}
