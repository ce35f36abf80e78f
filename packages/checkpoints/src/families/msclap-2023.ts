import { HTSAT_UNUSED_KEYS, htsatLaionNames, type HtsatConfigInput } from '@clapjs/audio-encoders';
import { msclapProjectionNameMap, type ClapModelConfig } from '@clapjs/model';
import { GPT2_UNUSED_KEYS, gpt2NameMap } from '@clapjs/text-encoders';
import { ImportError } from '../import/errors.js';
import { readByteLevelBpe } from './bpe-files.js';
import { htsatImportEntries } from './clap-names.js';
import { shapeReader } from './shapes.js';
import type { CheckpointFamily, DerivedSetting, ImportEntry, ShapeTable } from './family.js';
import { gpt2TokenizerState } from './gpt2-vocabulary.js';
import { torchlibrosaFrontEnd } from './torchlibrosa.js';

const HTSAT = 'audio_encoder.base.htsat.';
const TEXT = 'caption_encoder.base.';

/**
 * msclap 2023's published settings (msclap/configs/config_2023.yml, HTSAT's own config.py, GPT-2
 * small): what a `.pth` does not record. Each is overridable with `--set key=value`.
 */
export const MSCLAP_2023_DEFAULTS = {
  /** HTSAT's `htsat_spec_size` (the image the 1,024 resized frames fold into). */
  'audioEncoder.specSize': 256,
  /** HTSAT's `drop_path_rate` (training only). */
  'audioEncoder.dropPath': 0.1,
  /** GPT-2 small's `n_head` (head counts cannot be read from weight shapes). */
  'textEncoder.heads': 12,
  'textEncoder.layerNormEpsilon': 1e-5,
  /** GPT-2's resid/embd/attn dropout (training only). */
  'textEncoder.dropout': 0.1,
  /** msclap's `text_len`. */
  'tokenizer.maxLength': 77,
  /** Projection dropout (`Projection(p=0.5)`); inference ignores it. */
  'audioProjection.dropout': 0.5,
  'textProjection.dropout': 0.5,
} as const;

/**
 * msclap 2023's tokenizer: GPT-2's BPE (AutoTokenizer 'gpt2' with `pad_token` set to `!`, id 0),
 * each caption + ` <|endoftext|>` and no other special token, padded to 77.
 */
const TOKENIZER = {
  name: 'byte-level-bpe',
  bos: '<|endoftext|>',
  eos: '<|endoftext|>',
  pad: '!',
  wrap: false,
  suffix: ' <|endoftext|>',
} as const;

const { shapeOf, dim } = shapeReader('msclap 2023', 'CLAP_weights_2023.pth');

function count(has: (i: number) => boolean): number {
  let n = 0;
  while (has(n)) n += 1;
  return n;
}

/** HTS-AT's stage sizes from its names and shapes: blocks per stage, heads, window, MLP ratio. */
function htsatShape(shapes: ShapeTable) {
  const block = (stage: number, i: number) => `${HTSAT}layers.${stage}.blocks.${i}.`;
  const stages = count((s) => shapes.has(`${block(s, 0)}norm1.weight`));
  const depths = Array.from({ length: stages }, (_, s) =>
    count((i) => shapes.has(`${block(s, i)}norm1.weight`)),
  );
  const heads = Array.from({ length: stages }, (_, s) =>
    dim(shapes, `${block(s, 0)}attn.relative_position_bias_table`, 1),
  );
  const patch = shapeOf(shapes, `${HTSAT}patch_embed.proj.weight`);
  const embedDim = patch[0] as number;
  // The first stage's bias table has (2·window − 1)² rows.
  const tableRows = dim(shapes, `${block(0, 0)}attn.relative_position_bias_table`, 0);
  const windowSize = (Math.round(Math.sqrt(tableRows)) + 1) / 2;
  const mlpRatio = dim(shapes, `${block(0, 0)}mlp.fc1.weight`, 0) / embedDim;
  return { embedDim, patchSize: patch[2] as number, depths, heads, windowSize, mlpRatio };
}

const UNUSED: readonly [RegExp, string][] = [
  [
    /(^|\.)(tscam_conv|head)\.(weight|bias)$/,
    'AudioSet tagging head of HTS-AT (CLAP does not use it)',
  ],
  [/\.num_batches_tracked$/, 'BatchNorm step counter'],
  [/\.(relative_position_index|attn_mask)$/, 'Swin buffer clapjs recomputes from the config'],
  [
    /^caption_encoder\.base\.h\.\d+\.attn\.(bias|masked_bias)$/,
    'GPT-2 causal-mask buffer (clapjs builds the mask)',
  ],
];

/**
 * Microsoft CLAP 2023 (`CLAP_weights_2023.pth`, `{ model: state_dict }`): HTS-AT as msclap wraps
 * it (`audio_encoder.base.htsat.…`, LAION's module tree) on 44.1 kHz audio through a filterbank
 * built for 32 kHz, GPT-2 pooled at the last real token (`caption_encoder.base.…`), msclap's
 * residual projections into 1024 dims and one logit scale.
 */
export const msclap2023: CheckpointFamily = {
  name: 'msclap-2023',
  description: 'Microsoft CLAP 2023: HTS-AT + GPT-2, residual projections (msclap)',
  source: 'huggingface.co/microsoft/msclap, CLAP_weights_2023.pth',

  detect(names) {
    const has = new Set(names);
    return (
      has.has(`${HTSAT}patch_embed.proj.weight`) &&
      has.has(`${TEXT}wte.weight`) &&
      has.has(`${TEXT}h.0.attn.c_attn.weight`) &&
      has.has('audio_encoder.projection.linear1.weight') &&
      has.has('logit_scale')
    );
  },

  config(shapes) {
    const settings: DerivedSetting[] = [];
    const read = <T>(key: string, value: T): T => {
      settings.push({ key, value, from: 'checkpoint' });
      return value;
    };
    const published = <K extends keyof typeof MSCLAP_2023_DEFAULTS>(key: K) => {
      settings.push({ key, value: MSCLAP_2023_DEFAULTS[key], from: 'default' });
      return MSCLAP_2023_DEFAULTS[key];
    };
    const htsat = htsatShape(shapes);
    const projection = (slot: 'audioProjection' | 'textProjection', prefix: string) => ({
      name: 'residual',
      dim: read(`${slot}.dim`, dim(shapes, `${prefix}linear1.weight`, 0)),
      bias: read(`${slot}.bias`, shapes.has(`${prefix}linear1.bias`)),
      dropout: published(`${slot}.dropout`),
    });
    const config = {
      audio: { preset: 'msclap-2023' },
      audioEncoder: {
        name: 'htsat',
        specSize: published('audioEncoder.specSize'),
        patchSize: read('audioEncoder.patchSize', htsat.patchSize),
        embedDim: read('audioEncoder.embedDim', htsat.embedDim),
        depths: read('audioEncoder.depths', htsat.depths),
        heads: read('audioEncoder.heads', htsat.heads),
        windowSize: read('audioEncoder.windowSize', htsat.windowSize),
        mlpRatio: read('audioEncoder.mlpRatio', htsat.mlpRatio),
        dropPath: published('audioEncoder.dropPath'),
      },
      textEncoder: {
        name: 'gpt2',
        layers: read(
          'textEncoder.layers',
          count((i) => shapes.has(`${TEXT}h.${i}.attn.c_attn.weight`)),
        ),
        width: read('textEncoder.width', dim(shapes, `${TEXT}wte.weight`, 1)),
        heads: published('textEncoder.heads'),
        ffn: read('textEncoder.ffn', dim(shapes, `${TEXT}h.0.mlp.c_fc.weight`, 1)),
        maxPositions: read('textEncoder.maxPositions', dim(shapes, `${TEXT}wpe.weight`, 0)),
        layerNormEpsilon: published('textEncoder.layerNormEpsilon'),
        dropout: published('textEncoder.dropout'),
        pooling: 'pad-count',
        padTokenId: 0,
      },
      tokenizer: { ...TOKENIZER, maxLength: published('tokenizer.maxLength') },
      audioProjection: projection('audioProjection', 'audio_encoder.projection.'),
      textProjection: projection('textProjection', 'caption_encoder.projection.'),
      similarity: { name: 'cosine' },
      loss: { name: 'symmetric-clap' },
    };
    return { config, settings };
  },

  async tokenizerState(inputs) {
    if (inputs.tokenizer === undefined) return gpt2TokenizerState();
    const state = await readByteLevelBpe(inputs.tokenizer);
    if (state === undefined)
      throw new ImportError(
        'IMPORT_TOKENIZER_UNSUPPORTED',
        `${inputs.tokenizer} has no tokenizer.json or vocab.json + merges.txt; msclap 2023 needs GPT-2's (a Hugging Face gpt2 snapshot), ` +
          'or leave out --tokenizer to use the copy clapjs ships.',
      );
    return state;
  },

  nameMap(config: ClapModelConfig): ImportEntry[] {
    const encoder = config.audioEncoder as unknown as HtsatConfigInput;
    const entries = htsatImportEntries(htsatLaionNames(encoder, config.audio.nMels ?? 64, HTSAT));
    const layers = (config.textEncoder as { layers?: number }).layers ?? 12;
    for (const [path, name] of gpt2NameMap({ layers }, TEXT))
      entries.push({ ours: `textEncoder/${path}`, theirs: name, layout: 'same' });
    entries.push(
      ...msclapProjectionNameMap(config, 'audioProjection', 'audio_encoder.projection.'),
      ...msclapProjectionNameMap(config, 'textProjection', 'caption_encoder.projection.'),
      { ours: 'similarity/logit_scale', theirs: 'logit_scale', layout: 'same' },
    );
    return entries;
  },

  frontEnd: (shapes) => torchlibrosaFrontEnd(shapes, HTSAT),

  unusedReason(name) {
    const known = UNUSED.find(([pattern]) => pattern.test(name))?.[1];
    if (known !== undefined) return known;
    if (HTSAT_UNUSED_KEYS.some((p) => p.test(name))) return 'HTS-AT buffer clapjs does not use';
    if (GPT2_UNUSED_KEYS.some((p) => p.test(name))) return 'GPT-2 buffer clapjs does not use';
    return undefined;
  },
};
