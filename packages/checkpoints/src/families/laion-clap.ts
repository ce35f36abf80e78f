import { HTSAT_PRESETS } from '@clapjs/audio-encoders';
import { ImportError } from '../import/errors.js';
import { readByteLevelBpe, ROBERTA_TOKENIZER_HINT } from './bpe-files.js';
import { clapNameMap, clapUnusedReason } from './clap-names.js';
import type { CheckpointFamily, DerivedSetting, ShapeTable } from './family.js';
import { msclap2022 } from './msclap-2022.js';

const AUDIO = 'audio_branch.';
const TEXT = 'text_branch.';

/**
 * LAION-CLAP's published settings (clap_module/model_configs/HTSAT-*.json, its RoBERTa and
 * tokenizer): what a `.pt` does not record. Each is overridable with `--set key=value`.
 */
export const LAION_CLAP_DEFAULTS = {
  /** roberta-base's attention heads (a head count cannot be read from weight shapes). */
  'textEncoder.heads': 12,
  'textEncoder.layerNormEpsilon': 1e-5,
  'textEncoder.padTokenId': 1,
  'textEncoder.dropout': 0.1,
  /** `tokenizer(…, max_length=77)`. */
  'tokenizer.maxLength': 77,
  /** HTSAT's `drop_path_rate` and `drop_rate`; inference ignores them. */
  'audioEncoder.dropPath': 0.1,
  'audioEncoder.mlpDropout': 0,
  'audioEncoder.layerNormEpsilon': 1e-5,
  /** HTSAT's `spec_size`, used when no shifted-window mask tells the patch grid. */
  'audioEncoder.specSize': 256,
  /** `mlp_act` of the projections. */
  'audioProjection.activation': 'relu',
} as const;

function shapeOf(shapes: ShapeTable, name: string): readonly number[] {
  const shape = shapes.get(name);
  if (shape === undefined) {
    throw new ImportError(
      'IMPORT_TENSOR_MISSING',
      `The checkpoint has no tensor "${name}", which every LAION-CLAP HTSAT + RoBERTa checkpoint has. ` +
        'Check the file (e.g. 630k-audioset-best.pt) or choose the right family with --from.',
    );
  }
  return shape;
}

function count(shapes: ShapeTable, name: (i: number) => string): number {
  let n = 0;
  while (shapes.has(name(n))) n += 1;
  return n;
}

/** Which published HTSAT the shapes match, or what they resemble (for the import report). */
function describeSize(embedDim: number, depths: readonly number[]): string {
  const same = (a: readonly number[], b: readonly number[]) =>
    a.length === b.length && a.every((v, i) => v === b[i]);
  for (const [size, preset] of Object.entries(HTSAT_PRESETS)) {
    if (!same(depths, preset.depths)) continue;
    const label = `HTSAT-${size}`;
    return preset.embedDim === embedDim
      ? `audio encoder: ${label} (embedDim ${embedDim}, depths ${depths.join('-')}), read from the tensor shapes`
      : `audio encoder: ${label}'s depths ${depths.join('-')} at embedDim ${embedDim} (${label}: ${preset.embedDim}), read from the tensor shapes`;
  }
  return `audio encoder: an HTSAT of embedDim ${embedDim}, depths ${depths.join('-')} (neither tiny nor base), read from the tensor shapes`;
}

const FUSION = `${AUDIO}patch_embed.fusion_model.`;

function isFused(shapes: ShapeTable): boolean {
  return shapes.has(`${AUDIO}patch_embed.mel_conv2d.weight`);
}

/**
 * LAION-CLAP `.pt` checkpoints, unfused and fused (`630k-audioset-best.pt`,
 * `music_speech_audioset_epoch_15_esc_89.98.pt`, `630k-audioset-fusion-best.pt`, …): `{ epoch, state_dict, optimizer }` with a
 * `module.` prefix, `audio_branch.*` (HTSAT, fused qkv, torchlibrosa front end), `text_branch.*`
 * (RoBERTa), `audio_projection.0/.2`, `text_projection.0/.2`, `logit_scale_a`/`_t` (LAION reads
 * every direction with `_a`). The HTSAT size comes from the shapes; RoBERTa's head count and
 * the tokenizer do not: `--tokenizer DIR` is required.
 */
export const laionClap: CheckpointFamily = {
  name: 'laion',
  description: 'LAION-CLAP .pt (HTSAT + RoBERTa, unfused or fused): 630k-*, music_speech_*',
  source: 'huggingface.co/lukewys/laion_clap (630k-audioset-best.pt, music_*.pt)',

  detect(names) {
    const has = new Set(names);
    return (
      has.has(`${AUDIO}patch_embed.proj.weight`) &&
      has.has(`${AUDIO}layers.0.blocks.0.attn.qkv.weight`) &&
      has.has(`${TEXT}embeddings.word_embeddings.weight`) &&
      has.has('logit_scale_a')
    );
  },

  config(shapes) {
    const settings: DerivedSetting[] = [];
    const read = <T>(key: string, value: T): T => {
      settings.push({ key, value, from: 'checkpoint' });
      return value;
    };
    const published = <K extends keyof typeof LAION_CLAP_DEFAULTS>(key: K) => {
      settings.push({ key, value: LAION_CLAP_DEFAULTS[key], from: 'default' });
      return LAION_CLAP_DEFAULTS[key];
    };
    // Fused checkpoints (630k-audioset-fusion-best.pt) carry the crops' patch convolution and
    // the attentional feature fusion block; the block's ratio r is channels / its bottleneck.
    const fusion = isFused(shapes);
    const bottleneck = fusion ? shapeOf(shapes, `${FUSION}local_att.0.weight`) : undefined;
    const fusionSettings =
      bottleneck === undefined
        ? {}
        : {
            fusion: read('audioEncoder.fusion', true),
            fusionRatio: read('audioEncoder.fusionRatio', bottleneck[1]! / bottleneck[0]!),
          };
    const patch = shapeOf(shapes, `${AUDIO}patch_embed.proj.weight`);
    const embedDim = read('audioEncoder.embedDim', patch[0]!);
    const patchSize = read('audioEncoder.patchSize', patch[2]!);
    const stages = count(shapes, (i) => `${AUDIO}layers.${i}.blocks.0.norm1.weight`);
    const depths = read(
      'audioEncoder.depths',
      Array.from({ length: stages }, (_, i) =>
        count(shapes, (j) => `${AUDIO}layers.${i}.blocks.${j}.norm1.weight`),
      ),
    );
    const table = (i: number) =>
      shapeOf(shapes, `${AUDIO}layers.${i}.blocks.0.attn.relative_position_bias_table`);
    const heads = read(
      'audioEncoder.heads',
      depths.map((_, i) => table(i)[1]!),
    );
    const windowSize = read('audioEncoder.windowSize', (Math.sqrt(table(0)[0]!) + 1) / 2);
    const mlpRatio = read(
      'audioEncoder.mlpRatio',
      shapeOf(shapes, `${AUDIO}layers.0.blocks.0.mlp.fc1.weight`)[0]! / embedDim,
    );
    // A shifted block's mask [windows, w², w²] tells the first stage's patch grid.
    const mask = shapes.get(`${AUDIO}layers.0.blocks.1.attn_mask`);
    const specSize =
      mask === undefined
        ? published('audioEncoder.specSize')
        : read('audioEncoder.specSize', Math.sqrt(mask[0]!) * windowSize * patchSize);
    const melBins = shapeOf(shapes, `${AUDIO}bn0.weight`)[0]!;
    const word = shapeOf(shapes, `${TEXT}embeddings.word_embeddings.weight`);
    const dim = read('audioProjection.dim', shapeOf(shapes, 'audio_projection.0.weight')[0]!);
    const activation = published('audioProjection.activation');
    const config = {
      // Fused models take the HTK log-mel of LAION's data pipeline (Hugging Face's "fusion"
      // extractor), not the torchlibrosa buffers their HTSAT module still carries.
      audio: {
        preset: fusion ? 'laion-fused' : 'laion-unfused',
        ...(melBins === 64 ? {} : { nMels: melBins }),
      },
      audioEncoder: {
        name: 'htsat',
        specSize,
        patchSize,
        embedDim,
        depths,
        heads,
        windowSize,
        mlpRatio,
        mlpDropout: published('audioEncoder.mlpDropout'),
        dropPath: published('audioEncoder.dropPath'),
        layerNormEpsilon: published('audioEncoder.layerNormEpsilon'),
        ...fusionSettings,
      },
      textEncoder: {
        name: 'roberta',
        layers: read(
          'textEncoder.layers',
          count(shapes, (i) => `${TEXT}encoder.layer.${i}.attention.self.query.weight`),
        ),
        width: read('textEncoder.width', word[1]!),
        heads: published('textEncoder.heads'),
        ffn: read(
          'textEncoder.ffn',
          shapeOf(shapes, `${TEXT}encoder.layer.0.intermediate.dense.weight`)[0]!,
        ),
        maxPositions: read(
          'textEncoder.maxPositions',
          shapeOf(shapes, `${TEXT}embeddings.position_embeddings.weight`)[0]!,
        ),
        tokenTypes: read(
          'textEncoder.tokenTypes',
          shapeOf(shapes, `${TEXT}embeddings.token_type_embeddings.weight`)[0]!,
        ),
        padTokenId: published('textEncoder.padTokenId'),
        layerNormEpsilon: published('textEncoder.layerNormEpsilon'),
        dropout: published('textEncoder.dropout'),
      },
      tokenizer: { name: 'byte-level-bpe', maxLength: published('tokenizer.maxLength') },
      audioProjection: { name: 'mlp', dim, activation },
      textProjection: { name: 'mlp', dim, activation },
      similarity: { name: 'cosine', logitScales: 'audio' },
      loss: { name: 'symmetric-clap' },
    };
    return { config, settings, notes: [describeSize(embedDim, depths)] };
  },

  async tokenizerState(inputs) {
    const state =
      inputs.tokenizer === undefined ? undefined : await readByteLevelBpe(inputs.tokenizer);
    if (state === undefined) {
      throw new ImportError(
        'IMPORT_TOKENIZER_MISSING',
        `${inputs.tokenizer === undefined ? 'A LAION-CLAP .pt carries no tokenizer, so --tokenizer DIR is required' : `${inputs.tokenizer} has no tokenizer.json and no vocab.json + merges.txt`}: ${ROBERTA_TOKENIZER_HINT}.`,
      );
    }
    return state;
  },

  nameMap: (config) => clapNameMap(config, 'laion'),

  frontEnd(shapes) {
    if (isFused(shapes)) return [];
    // HTS-AT and msclap's CNN14 hold the same torchlibrosa modules (spectrogram_extractor,
    // logmel_extractor): check them the same way, under this family's names.
    const MSCLAP = 'audio_encoder.base.';
    const renamed = new Map(
      [...shapes]
        .filter(([name]) => name.startsWith(AUDIO))
        .map(([name, shape]) => [MSCLAP + name.slice(AUDIO.length), shape]),
    );
    return msclap2022
      .frontEnd(renamed)
      .map((tensor) => ({ ...tensor, name: AUDIO + tensor.name.slice(MSCLAP.length) }));
  },

  unusedReason: clapUnusedReason,
};
