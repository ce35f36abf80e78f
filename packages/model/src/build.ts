import { ConfigError, create, get, list, parseConfig, Rng } from '@clapjs/core';
import type {
  AudioEncoder,
  NamedVariable,
  Part,
  PluginKind,
  Projection,
  Similarity,
  TextEncoder,
  Tokenizer,
} from '@clapjs/core';
import { LogMelExtractor } from '@clapjs/audio';
import { resolveAudioConfig, type ClapModelConfig } from './config.js';

/** The trainable slots of a model, in the order their weights are listed; also the path prefixes. */
export const PART_SLOTS = [
  'audioEncoder',
  'textEncoder',
  'audioProjection',
  'textProjection',
  'similarity',
] as const;

/** One of {@link PART_SLOTS}. */
export type PartSlot = (typeof PART_SLOTS)[number];

/** The plugin kind each config key names. */
export const SLOT_KINDS = {
  audioEncoder: 'audio-encoder',
  textEncoder: 'text-encoder',
  tokenizer: 'tokenizer',
  audioProjection: 'projection',
  textProjection: 'projection',
  similarity: 'similarity',
  loss: 'loss',
} as const satisfies Record<string, PluginKind>;

/** Everything a {@link ClapModel} is made of. */
export interface ClapParts {
  readonly config: ClapModelConfig;
  readonly frontEnd: LogMelExtractor;
  readonly tokenizer: Tokenizer;
  readonly audioEncoder: AudioEncoder;
  readonly textEncoder: TextEncoder;
  readonly audioProjection: Projection;
  readonly textProjection: Projection;
  readonly similarity: Similarity;
}

/** How to build the parts. */
export interface BuildOptions {
  readonly seed: number;
  /** Captions a fitted tokenizer (e.g. `word`) learns its vocabulary from. */
  readonly captions?: readonly string[];
  /** A saved tokenizer (its `toJSON()`), when loading. */
  readonly tokenizerState?: unknown;
}

/** Parses a part config through its plugin's schema, keeping the model-level keys aside. */
function parsePart(
  slot: keyof typeof SLOT_KINDS,
  config: { name: string } & Record<string, unknown>,
) {
  return parseConfig(SLOT_KINDS[slot], config, slot).config;
}

/**
 * Builds every part of a model from a parsed config through the plugin registry. Each part gets
 * its own fork of the seeded RNG, so changing one part leaves the others' initial weights alone.
 * On failure, the parts built so far are disposed before the error propagates.
 * @throws PluginError for an unknown plugin name (listing the known ones), ConfigError naming the
 * bad key (e.g. `audioEncoder.width`)
 */
export function buildParts(config: ClapModelConfig, options: BuildOptions): ClapParts {
  const rng = new Rng(options.seed);
  const logMel = resolveAudioConfig(config.audio);
  const frontEnd = new LogMelExtractor(logMel);
  const { maxLength, ...tokenizerRest } = config.tokenizer;
  const built: Part[] = [];
  const keep = <T extends Part>(part: T): T => {
    built.push(part);
    return part;
  };
  try {
    // `maxLength` is a model-level key; tokenizers whose schema knows it get it too.
    const withoutLength = parsePart('tokenizer', tokenizerRest);
    const tokenizerConfig =
      'maxLength' in withoutLength ? parsePart('tokenizer', config.tokenizer) : withoutLength;
    const tokenizer = create('tokenizer', tokenizerConfig, {
      ...(options.captions === undefined ? {} : { captions: options.captions }),
      ...(options.tokenizerState === undefined ? {} : { state: options.tokenizerState }),
    });
    const audioEncoderConfig = parsePart('audioEncoder', config.audioEncoder);
    const audioEncoder = keep(
      create(
        'audio-encoder',
        audioEncoderConfig,
        { melBins: logMel.nMels, rng: rng.fork('audioEncoder') },
        'audioEncoder',
      ),
    );
    const textEncoderConfig = parsePart('textEncoder', config.textEncoder);
    const textEncoder = keep(
      create(
        'text-encoder',
        textEncoderConfig,
        { vocabSize: tokenizer.vocabSize, maxLength, rng: rng.fork('textEncoder') },
        'textEncoder',
      ),
    );
    const audioProjectionConfig = parsePart('audioProjection', config.audioProjection);
    const audioProjection = keep(
      create(
        'projection',
        audioProjectionConfig,
        { inputDim: audioEncoder.outputDim, rng: rng.fork('audioProjection') },
        'audioProjection',
      ),
    );
    const textProjectionConfig = parsePart('textProjection', config.textProjection);
    const textProjection = keep(
      create(
        'projection',
        textProjectionConfig,
        { inputDim: textEncoder.outputDim, rng: rng.fork('textProjection') },
        'textProjection',
      ),
    );
    if (audioProjection.outputDim !== textProjection.outputDim) {
      throw new ConfigError(
        'textProjection.dim',
        `Invalid model config at textProjection.dim: the text projection outputs ${textProjection.outputDim} dims but the audio projection ${audioProjection.outputDim}; ` +
          'both must map into the same joint space. Give audioProjection and textProjection the same dim.',
      );
    }
    const similarityConfig = parsePart('similarity', config.similarity);
    const similarity = keep(
      create('similarity', similarityConfig, { rng: rng.fork('similarity') }, 'similarity'),
    );
    // The loss is the trainer's; validate it here only when a loss package is loaded.
    const loss = list('loss').length > 0 ? parsePart('loss', config.loss) : config.loss;
    return {
      config: {
        audio: { preset: config.audio.preset, ...logMel },
        audioEncoder: audioEncoderConfig,
        textEncoder: textEncoderConfig,
        tokenizer: { ...tokenizerConfig, maxLength },
        audioProjection: audioProjectionConfig,
        textProjection: textProjectionConfig,
        similarity: similarityConfig,
        loss,
        ...(config.plugins === undefined ? {} : { plugins: [...config.plugins] }),
      },
      frontEnd,
      tokenizer,
      audioEncoder,
      textEncoder,
      audioProjection,
      textProjection,
      similarity,
    };
  } catch (error) {
    for (const part of built) part.dispose();
    throw error;
  }
}

/**
 * Every weight of the parts, paths prefixed by their slot (`audioEncoder/…`); the weights that
 * `frozen(slot, path)` names (path relative to the part) are listed as not trainable.
 */
export function partVariables(
  parts: ClapParts,
  frozen: (slot: PartSlot, path: string) => boolean = () => false,
): NamedVariable[] {
  return PART_SLOTS.flatMap((slot) =>
    parts[slot].variables().map((v) => ({
      ...v,
      path: `${slot}/${v.path}`,
      ...(frozen(slot, v.path) ? { trainable: false } : {}),
    })),
  );
}

/** The plugin behind each part, for the saved manifest. */
export function partProvenance(
  config: ClapModelConfig,
): Record<string, { name: string; origin: string; version: string }> {
  const out: Record<string, { name: string; origin: string; version: string }> = {};
  for (const [slot, kind] of Object.entries(SLOT_KINDS)) {
    const name = (config[slot as keyof typeof SLOT_KINDS] as { name: string }).name;
    try {
      const plugin = get(kind, name);
      out[slot] = { name, origin: plugin.origin, version: plugin.version };
    } catch {
      out[slot] = { name, origin: 'unregistered', version: 'unknown' };
    }
  }
  return out;
}
