import { ImportError } from '../import/errors.js';
import { readByteLevelBpe } from './bpe-files.js';
import { clapNameMap, clapUnusedReason } from './clap-names.js';
import type { CheckpointFamily, DerivedSetting } from './family.js';

type Json = Record<string, unknown>;

/**
 * Hugging Face's class defaults (transformers ClapAudioConfig, ClapTextConfig, ClapConfig,
 * ClapFeatureExtractor): what transformers itself uses when a snapshot's JSON omits a key.
 */
export const HF_CLAP_DEFAULTS = {
  audio: {
    window_size: 8,
    num_mel_bins: 64,
    spec_size: 256,
    hidden_act: 'gelu',
    patch_size: 4,
    patch_stride: [4, 4],
    hidden_size: 768,
    depths: [2, 2, 6, 2],
    num_attention_heads: [4, 8, 16, 32],
    enable_fusion: false,
    fusion_type: null,
    aff_block_r: 4,
    hidden_dropout_prob: 0.1,
    flatten_patch_embeds: true,
    patch_embeds_hidden_size: 96,
    enable_patch_layer_norm: true,
    drop_path_rate: 0.0,
    qkv_bias: true,
    mlp_ratio: 4.0,
    layer_norm_eps: 1e-5,
  },
  text: {
    hidden_size: 768,
    num_hidden_layers: 12,
    num_attention_heads: 12,
    intermediate_size: 3072,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    max_position_embeddings: 514,
    type_vocab_size: 1,
    layer_norm_eps: 1e-12,
    pad_token_id: 1,
    position_embedding_type: 'absolute',
  },
  model: { projection_dim: 512, projection_hidden_act: 'relu', logit_scale_init_value: 14.29 },
  preprocessor: {
    feature_size: 64,
    sampling_rate: 48_000,
    hop_length: 480,
    max_length_s: 10,
    fft_window_size: 1024,
    frequency_min: 0,
    frequency_max: 14_000,
    top_db: null,
    truncation: 'fusion',
    padding: 'repeatpad',
  },
} as const;

/** Hugging Face's `padding` (ClapFeatureExtractor) → clapjs's padMode. */
const PAD_MODES: Readonly<Record<string, 'repeat-pad' | 'tile-cut' | 'zero-pad'>> = {
  repeatpad: 'repeat-pad',
  repeat: 'tile-cut',
  pad: 'zero-pad',
};

/** Token positions per caption: LAION-CLAP's `max_length=77` (HF's processors truncate at 512). */
const MAX_TOKENS = 77;

function invalid(file: string, key: string, value: unknown, expected: string): ImportError {
  return new ImportError(
    'IMPORT_CONFIG_INVALID',
    `${file} has ${key} = ${JSON.stringify(value)}; clapjs builds ${expected}. Check the snapshot (or override the derived setting with --set).`,
  );
}

/** Reads keys of one JSON section, falling back to HF's defaults; each read is listed in `settings`. */
function reader(file: string, json: Json, defaults: Json, settings: DerivedSetting[]) {
  return <T>(key: string, ours?: string): T => {
    const present = Object.hasOwn(json, key) && json[key] !== undefined;
    const value = (present ? json[key] : defaults[key]) as T;
    if (ours !== undefined)
      settings.push({ key: ours, value, from: present ? 'checkpoint' : 'default' });
    return value;
  };
}

function section(json: Json, key: string): Json {
  const value = json[key];
  return typeof value === 'object' && value !== null ? (value as Json) : {};
}

/**
 * Hugging Face ClapModel snapshots (`laion/clap-htsat-unfused`, `laion/larger_clap_general`,
 * `laion/larger_clap_music_and_speech`, and the fused `laion/clap-htsat-fused`: `enable_fusion`
 * with the `fusion` extractor gives `htsat` with `fusion: true` and the `laion-fused` preset;
 * docs/front-ends.md says what is deterministic): every hyperparameter from
 * `config.json`, the front end from `preprocessor_config.json`, the tokenizer from the snapshot's
 * `tokenizer.json` or `vocab.json` + `merges.txt`, weights from `pytorch_model.bin` or
 * (sharded) safetensors. Logits per text read `logit_scale_t`, per audio `logit_scale_a`.
 */
export const hfClap: CheckpointFamily = {
  name: 'hf',
  description:
    'Hugging Face ClapModel snapshot (HTSAT + RoBERTa, unfused or fused): laion/clap-htsat-unfused, laion/clap-htsat-fused, laion/larger_clap_*',
  source:
    'huggingface.co/laion/clap-htsat-unfused (clap-htsat-fused, larger_clap_*): a snapshot directory',

  detect(names) {
    const has = new Set(names);
    return (
      has.has('audio_model.audio_encoder.patch_embed.proj.weight') &&
      has.has('text_model.embeddings.word_embeddings.weight') &&
      has.has('logit_scale_a')
    );
  },

  config(_shapes, inputs) {
    const model = inputs.files.get('config.json') as Json | undefined;
    if (model === undefined) {
      throw new ImportError(
        'IMPORT_CONFIG_MISSING',
        `--from hf reads the snapshot's config.json, and ${inputs.folder ?? 'the checkpoint'} has none: give the snapshot directory (config.json, preprocessor_config.json, tokenizer files, weights), not a weights file.`,
      );
    }
    const pre = (inputs.files.get('preprocessor_config.json') ?? {}) as Json;
    const settings: DerivedSetting[] = [];
    const D = HF_CLAP_DEFAULTS;
    const audio = reader(
      'config.json audio_config',
      section(model, 'audio_config'),
      D.audio,
      settings,
    );
    const text = reader('config.json text_config', section(model, 'text_config'), D.text, settings);
    const top = reader('config.json', model, D.model, settings);
    const fe = reader('preprocessor_config.json', pre, D.preprocessor, settings);

    const truncation = fe<string>('truncation');
    // Fusion (laion/clap-htsat-fused): the model's enable_fusion and the extractor's "fusion"
    // truncation (its 4-channel input, HTK mel filters) come together or not at all.
    const fusion = audio<boolean>('enable_fusion', 'audioEncoder.fusion');
    if (fusion !== (truncation === 'fusion')) {
      throw new ImportError(
        'IMPORT_FEATURE_UNSUPPORTED',
        `This snapshot has enable_fusion = ${String(fusion)} but truncation "${truncation}": a fused model takes the "fusion" extractor's 4-channel input and an unfused one "rand_trunc" log-mels; fix config.json or preprocessor_config.json.`,
      );
    }
    if (fusion && audio<unknown>('fusion_type') === 'channel_map')
      throw invalid(
        'config.json',
        'audio_config.fusion_type',
        'channel_map',
        'null (the AFF block)',
      );
    if (!fusion && truncation !== 'rand_trunc')
      throw invalid(
        'preprocessor_config.json',
        'truncation',
        truncation,
        '"rand_trunc" or "fusion"',
      );
    const padding = fe<string>('padding');
    const padMode = PAD_MODES[padding];
    if (padMode === undefined)
      throw invalid('preprocessor_config.json', 'padding', padding, 'repeatpad, repeat or pad');
    if (fe<unknown>('top_db') !== null)
      throw invalid('preprocessor_config.json', 'top_db', fe('top_db'), 'null (no dB floor)');
    for (const [get, key, want] of [
      [audio, 'hidden_act', 'gelu'],
      [text, 'hidden_act', 'gelu'],
      [text, 'position_embedding_type', 'absolute'],
      [audio, 'flatten_patch_embeds', true],
      [audio, 'enable_patch_layer_norm', true],
      [audio, 'qkv_bias', true],
    ] as const) {
      const value = get<unknown>(key);
      if (value !== want) throw invalid('config.json', key, value, JSON.stringify(want));
    }
    const patch = audio<number>('patch_size', 'audioEncoder.patchSize');
    const stride = audio<number[]>('patch_stride');
    if (!Array.isArray(stride) || stride.some((s) => s !== patch))
      throw invalid('config.json', 'patch_stride', stride, `[${patch}, ${patch}] (= patch_size)`);
    const embedDim = audio<number>('patch_embeds_hidden_size', 'audioEncoder.embedDim');
    const depths = audio<number[]>('depths', 'audioEncoder.depths');
    const hidden = audio<number>('hidden_size');
    if (hidden !== embedDim * 2 ** (depths.length - 1))
      throw invalid(
        'config.json',
        'audio_config.hidden_size',
        hidden,
        `patch_embeds_hidden_size · 2^(stages − 1) = ${embedDim * 2 ** (depths.length - 1)}`,
      );
    const activation = top<string>('projection_hidden_act', 'audioProjection.activation');
    if (activation !== 'relu' && activation !== 'gelu')
      throw invalid('config.json', 'projection_hidden_act', activation, 'relu or gelu');
    const dim = top<number>('projection_dim', 'audioProjection.dim');
    const nFft = fe<number>('fft_window_size', 'audio.nFft');

    const config = {
      audio: {
        // The fusion extractor's mel filters are HTK-scale without norm; rand_trunc's are Slaney.
        preset: fusion ? 'laion-fused' : 'laion-unfused',
        sampleRate: fe<number>('sampling_rate', 'audio.sampleRate'),
        nFft,
        winLength: nFft,
        hopLength: fe<number>('hop_length', 'audio.hopLength'),
        nMels: audio<number>('num_mel_bins', 'audio.nMels'),
        fMin: fe<number>('frequency_min', 'audio.fMin'),
        fMax: fe<number>('frequency_max', 'audio.fMax'),
        clipSeconds: fe<number>('max_length_s', 'audio.clipSeconds'),
        padMode,
      },
      audioEncoder: {
        name: 'htsat',
        specSize: audio<number>('spec_size', 'audioEncoder.specSize'),
        patchSize: patch,
        embedDim,
        depths,
        heads: audio<number[]>('num_attention_heads', 'audioEncoder.heads'),
        windowSize: audio<number>('window_size', 'audioEncoder.windowSize'),
        mlpRatio: audio<number>('mlp_ratio', 'audioEncoder.mlpRatio'),
        mlpDropout: audio<number>('hidden_dropout_prob', 'audioEncoder.mlpDropout'),
        dropPath: audio<number>('drop_path_rate', 'audioEncoder.dropPath'),
        layerNormEpsilon: audio<number>('layer_norm_eps', 'audioEncoder.layerNormEpsilon'),
        ...(fusion
          ? { fusion: true, fusionRatio: audio<number>('aff_block_r', 'audioEncoder.fusionRatio') }
          : {}),
      },
      textEncoder: {
        name: 'roberta',
        layers: text<number>('num_hidden_layers', 'textEncoder.layers'),
        width: text<number>('hidden_size', 'textEncoder.width'),
        heads: text<number>('num_attention_heads', 'textEncoder.heads'),
        ffn: text<number>('intermediate_size', 'textEncoder.ffn'),
        maxPositions: text<number>('max_position_embeddings', 'textEncoder.maxPositions'),
        tokenTypes: text<number>('type_vocab_size', 'textEncoder.tokenTypes'),
        padTokenId: text<number>('pad_token_id', 'textEncoder.padTokenId'),
        layerNormEpsilon: text<number>('layer_norm_eps', 'textEncoder.layerNormEpsilon'),
        dropout: text<number>('hidden_dropout_prob', 'textEncoder.dropout'),
      },
      tokenizer: { name: 'byte-level-bpe', maxLength: MAX_TOKENS },
      audioProjection: { name: 'mlp', dim, activation },
      textProjection: { name: 'mlp', dim, activation },
      similarity: {
        name: 'cosine',
        logitScales: 'per-direction',
        initScale: Math.log(top<number>('logit_scale_init_value')),
      },
      loss: { name: 'symmetric-clap' },
    };
    return { config, settings };
  },

  async tokenizerState(inputs) {
    const dir = inputs.tokenizer ?? inputs.folder;
    const state = dir === undefined ? undefined : await readByteLevelBpe(dir);
    if (state === undefined) {
      throw new ImportError(
        'IMPORT_TOKENIZER_MISSING',
        `${dir ?? 'The checkpoint'} has no tokenizer.json and no vocab.json + merges.txt; an HF snapshot keeps them at its root (download the whole snapshot, or pass --tokenizer DIR).`,
      );
    }
    return state;
  },

  nameMap: (config) => clapNameMap(config, 'hf'),

  frontEnd: () => [],

  unusedReason: clapUnusedReason,
};
