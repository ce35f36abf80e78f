import {
  HTSAT_UNUSED_KEYS,
  htsatHfNames,
  htsatLaionNames,
  type HtsatConfigInput,
  type HtsatNameMapEntry,
  type HtsatTransform,
} from '@clapjs/audio-encoders';
import type { ClapModelConfig, TensorLayout } from '@clapjs/model';
import { clapProjectionNames } from '@clapjs/projection';
import { ROBERTA_UNUSED_KEYS, robertaNameMap } from '@clapjs/text-encoders';
import type { ImportEntry } from './family.js';

const LAYOUT: Record<HtsatTransform, TensorLayout> = {
  none: 'same',
  transpose: 'linear',
  'oihw-to-hwio': 'conv2d',
};

/** An HTSAT name map (LAION or Hugging Face names) as import entries under `audioEncoder/`. */
export function htsatImportEntries(htsat: readonly HtsatNameMapEntry[]): ImportEntry[] {
  return htsat.map((e) => ({
    ours: `audioEncoder/${e.path}`,
    theirs: e.names.length === 1 ? e.names[0]! : e.names,
    layout: LAYOUT[e.transform],
  }));
}

/** Where each tower sits in a LAION `.pt` (after `module.`) and in a Hugging Face ClapModel. */
const PREFIXES = {
  laion: { audio: 'audio_branch.', text: 'text_branch.' },
  hf: { audio: 'audio_model.audio_encoder.', text: 'text_model.' },
} as const;

/**
 * Every weight of an HTSAT + RoBERTa + MLP-projection clapjs model ↔ its tensor in a LAION-CLAP
 * `.pt` (`laion`) or a Hugging Face ClapModel (`hf`): the encoders' own maps, the projections'
 * (`audio_projection.0/.2` vs `.linear1/.linear2`) and both logit scales.
 */
export function clapNameMap(config: ClapModelConfig, family: 'laion' | 'hf'): ImportEntry[] {
  const prefix = PREFIXES[family];
  const encoder = config.audioEncoder as unknown as HtsatConfigInput;
  const melBins = config.audio.nMels ?? 64;
  const htsat =
    family === 'laion'
      ? htsatLaionNames(encoder, melBins, prefix.audio)
      : htsatHfNames(encoder, melBins, prefix.audio);
  const entries = htsatImportEntries(htsat);
  const layers = (config.textEncoder as { layers?: number }).layers ?? 12;
  for (const [path, { name, transpose }] of robertaNameMap({ layers }, prefix.text))
    entries.push({
      ours: `textEncoder/${path}`,
      theirs: name,
      layout: transpose ? 'linear' : 'same',
    });
  for (const side of ['audio', 'text'] as const) {
    for (const [path, { name, transpose }] of clapProjectionNames(side, family))
      entries.push({
        ours: `${side}Projection/${path}`,
        theirs: name,
        layout: transpose ? 'linear' : 'same',
      });
  }
  for (const scale of ['logit_scale_a', 'logit_scale_t'])
    entries.push({ ours: `similarity/${scale}`, theirs: scale, layout: 'same' });
  return entries;
}

const UNUSED: readonly [RegExp, string][] = [
  [
    /^audio_branch\.(spectrogram_extractor|logmel_extractor)\./,
    "torchlibrosa front-end buffer a fused model does not use (it takes the preset's HTK log-mel)",
  ],
  [
    /(^|\.)(tscam_conv|head)\.(weight|bias)$/,
    'AudioSet classification head (CLAP does not use it)',
  ],
  [
    /^(audio|text)_transform\./,
    "LAION's audio_transform/text_transform (used only by its MLP training loss)",
  ],
  [/\.num_batches_tracked$/, 'BatchNorm step counter'],
  [/\.(relative_position_index|attn_mask)$/, 'Swin buffer clapjs recomputes from the config'],
  [/(^|\.)embeddings\.(position_ids|token_type_ids)$/, 'position / token type index buffer'],
];

/** Why an unmapped tensor of a LAION or Hugging Face CLAP checkpoint is not needed. */
export function clapUnusedReason(name: string): string | undefined {
  const known = UNUSED.find(([pattern]) => pattern.test(name))?.[1];
  if (known !== undefined) return known;
  // The encoders' own lists, in case a file has buffers the table above does not name.
  if (HTSAT_UNUSED_KEYS.some((p) => p.test(name)))
    return 'HTSAT buffer or head clapjs does not use';
  if (ROBERTA_UNUSED_KEYS.some((p) => p.test(name))) return 'RoBERTa index buffer';
  return undefined;
}
