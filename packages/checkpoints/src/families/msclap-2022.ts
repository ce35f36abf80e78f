import { msclapNameMap, type ClapModelConfig } from '@clapjs/model';
import { shapeReader } from './shapes.js';
import type { CheckpointFamily, DerivedSetting, ShapeTable } from './family.js';
import { torchlibrosaFrontEnd } from './torchlibrosa.js';

const AUDIO = 'audio_encoder.base.';
const TEXT = 'caption_encoder.base.';
/** The 64 output channels of CNN14's first block at width 1 (PANNs). */
const CNN14_FIRST_CHANNELS = 64;

/**
 * msclap 2022's published settings (msclap/configs/config_2022.yml and its BERT): what a `.pth`
 * does not record. Each is overridable with `--set key=value`.
 */
export const MSCLAP_2022_DEFAULTS = {
  /** BERT-base's attention heads (head counts cannot be read from weight shapes). */
  'textEncoder.heads': 12,
  'textEncoder.layerNormEpsilon': 1e-12,
  /** msclap's `text_len`. */
  'tokenizer.maxLength': 100,
  /** Projection dropout (`Projection(p=0.5)`); inference ignores it. */
  'audioProjection.dropout': 0.5,
  'textProjection.dropout': 0.5,
  /** BERT's hidden and attention dropout during training. */
  'textEncoder.dropout': 0.1,
} as const;

const { dim } = shapeReader('msclap 2022', 'CLAP_weights_2022.pth');

function bertLayers(shapes: ShapeTable): number {
  let layers = 0;
  while (shapes.has(`${TEXT}encoder.layer.${layers}.attention.self.query.weight`)) layers += 1;
  return layers;
}

const UNUSED: readonly [RegExp, string][] = [
  [/^audio_encoder\.base\.fc_audioset\./, 'AudioSet classification head (CLAP does not use it)'],
  [/\.num_batches_tracked$/, 'BatchNorm step counter'],
  [/^caption_encoder\.base\.pooler\./, 'BERT pooler (msclap embeds the [CLS] vector without it)'],
  [/^caption_encoder\.base\.embeddings\.position_ids$/, 'position index buffer (0, 1, 2, …)'],
];

/**
 * Microsoft CLAP 2022 (`CLAP_weights_2022.pth`, `{ model: state_dict }`): CNN14 on 44.1 kHz
 * log-mels, BERT-base-uncased pooled at [CLS] (100 tokens), msclap's residual projections into
 * 1024 dims and one logit scale.
 */
export const msclap2022: CheckpointFamily = {
  name: 'msclap-2022',
  description: 'Microsoft CLAP 2022: CNN14 + BERT-base-uncased, residual projections (msclap)',
  source: 'huggingface.co/microsoft/msclap, CLAP_weights_2022.pth',

  detect(names) {
    const has = new Set(names);
    return (
      has.has(`${AUDIO}conv_block1.conv1.weight`) &&
      has.has(`${AUDIO}conv_block6.conv2.weight`) &&
      has.has(`${TEXT}embeddings.word_embeddings.weight`) &&
      has.has('audio_encoder.projection.linear1.weight') &&
      has.has('logit_scale')
    );
  },

  config(shapes) {
    const settings: DerivedSetting[] = [];
    const read = (key: string, value: unknown) => {
      settings.push({ key, value, from: 'checkpoint' });
      return value;
    };
    const published = <K extends keyof typeof MSCLAP_2022_DEFAULTS>(key: K) => {
      settings.push({ key, value: MSCLAP_2022_DEFAULTS[key], from: 'default' });
      return MSCLAP_2022_DEFAULTS[key];
    };
    const firstChannels = dim(shapes, `${AUDIO}conv_block1.conv1.weight`, 0);
    const width = read('audioEncoder.width', firstChannels / CNN14_FIRST_CHANNELS) as number;
    const hidden = dim(shapes, `${TEXT}embeddings.word_embeddings.weight`, 1);
    const projection = (slot: 'audioProjection' | 'textProjection', prefix: string) => ({
      name: 'residual',
      dim: read(`${slot}.dim`, dim(shapes, `${prefix}linear1.weight`, 0)) as number,
      bias: read(`${slot}.bias`, shapes.has(`${prefix}linear1.bias`)) as boolean,
      dropout: published(`${slot}.dropout`),
    });
    const config = {
      audio: { preset: 'msclap-2022' },
      audioEncoder: { name: 'cnn14', width },
      textEncoder: {
        name: 'transformer',
        norm: 'post',
        pooling: 'cls',
        layers: read('textEncoder.layers', bertLayers(shapes)),
        width: read('textEncoder.width', hidden),
        heads: published('textEncoder.heads'),
        ffn: read(
          'textEncoder.ffn',
          dim(shapes, `${TEXT}encoder.layer.0.intermediate.dense.weight`, 0),
        ),
        maxLength: read(
          'textEncoder.maxLength',
          dim(shapes, `${TEXT}embeddings.position_embeddings.weight`, 0),
        ),
        tokenTypes: read(
          'textEncoder.tokenTypes',
          shapes.get(`${TEXT}embeddings.token_type_embeddings.weight`)?.[0] ?? 0,
        ),
        layerNormEpsilon: published('textEncoder.layerNormEpsilon'),
        dropout: published('textEncoder.dropout'),
      },
      tokenizer: { name: 'bert-wordpiece', maxLength: published('tokenizer.maxLength') },
      audioProjection: projection('audioProjection', 'audio_encoder.projection.'),
      textProjection: projection('textProjection', 'caption_encoder.projection.'),
      similarity: { name: 'cosine' },
      loss: { name: 'symmetric-clap' },
    };
    return { config, settings };
  },

  nameMap: (config: ClapModelConfig) => msclapNameMap(config),

  frontEnd: (shapes) => torchlibrosaFrontEnd(shapes, AUDIO),

  unusedReason(name) {
    return UNUSED.find(([pattern]) => pattern.test(name))?.[1];
  },
};
