import { ConfigError, z } from '@clapjs/core';
import { getPreset, validateLogMelConfig, type LogMelConfig, type PresetName } from '@clapjs/audio';

/** A part's config: the plugin name plus that plugin's own keys (validated by its schema). */
const part = () => z.looseObject({ name: z.string().min(1, 'give the plugin name') });

/**
 * The default config: a small model that trains on a CPU in minutes (the `fast` audio preset,
 * the `cnn-small` encoder, a 2-layer transformer over a fitted word vocabulary, 128-d MLP
 * projections, cosine similarity, the symmetric CLAP loss).
 */
export function defaultModelConfig(): ClapModelConfig {
  return {
    audio: { preset: 'fast' },
    audioEncoder: { name: 'cnn-small' },
    textEncoder: { name: 'transformer', layers: 2, width: 128, heads: 4 },
    tokenizer: { name: 'word', maxLength: 24 },
    audioProjection: { name: 'mlp', dim: 128 },
    textProjection: { name: 'mlp', dim: 128 },
    similarity: { name: 'cosine' },
    loss: { name: 'symmetric-clap' },
  };
}

const defaults = defaultModelConfig();

/**
 * The schema of {@link ClapModelConfig}. Each part key is optional and defaults to the
 * {@link defaultModelConfig} part; each part's own keys are validated by the plugin it names when
 * the model is built.
 */
export const clapModelConfigSchema = z.strictObject({
  /** The log-mel front end: a preset name plus any {@link LogMelConfig} keys that override it. */
  audio: z
    .looseObject({ preset: z.string().min(1).default('fast') })
    .default({ ...defaults.audio }),
  audioEncoder: part().default({ ...defaults.audioEncoder }),
  textEncoder: part().default({ ...defaults.textEncoder }),
  /** `maxLength`: tokens per text (longer texts are truncated, shorter ones padded). */
  tokenizer: part()
    .extend({ maxLength: z.number().int().min(1, 'maxLength must be at least 1').default(24) })
    .default({ ...defaults.tokenizer, maxLength: 24 }),
  audioProjection: part().default({ ...defaults.audioProjection }),
  textProjection: part().default({ ...defaults.textProjection }),
  similarity: part().default({ ...defaults.similarity }),
  /** Carried for the trainer; the model itself never computes a loss. */
  loss: part().default({ ...defaults.loss }),
  /** Packages that register the plugins this config names (imported by the CLI before building). */
  plugins: z.array(z.string().min(1)).optional(),
});

/** A part's config: `{ name, ...that plugin's keys }`. */
export type PartConfigInput = { name: string } & Record<string, unknown>;

/**
 * A whole CLAP model as JSON. Every part names its plugin; `ClapModel.create` validates each
 * part against its plugin's schema and fills in defaults.
 */
export interface ClapModelConfig {
  audio: { preset: string } & Partial<LogMelConfig> & Record<string, unknown>;
  audioEncoder: PartConfigInput;
  textEncoder: PartConfigInput;
  tokenizer: PartConfigInput & { maxLength: number };
  audioProjection: PartConfigInput;
  textProjection: PartConfigInput;
  similarity: PartConfigInput;
  loss: PartConfigInput;
  plugins?: string[];
}

/** What `ClapModel.create` accepts: any subset of the keys; missing parts take the defaults. */
export type ClapModelConfigInput = Partial<ClapModelConfig>;

function zodToConfigError(error: z.ZodError, prefix: string[] = []): ConfigError {
  const issue = error.issues[0];
  const key = [...prefix, ...(issue?.path ?? []).map(String)].join('.') || '(root)';
  return new ConfigError(
    key,
    `Invalid model config at ${key}: ${issue?.message ?? 'invalid value'}. Fix that key; see the @clapjs/model README for the config reference.`,
    { cause: error },
  );
}

/**
 * Validates the model-level shape of a config (not yet the parts' own keys) and fills in the
 * default parts.
 * @throws ConfigError naming the offending key, e.g. `tokenizer.maxLength`
 */
export function parseModelConfig(input: unknown): ClapModelConfig {
  const result = clapModelConfigSchema.safeParse(input ?? {});
  if (!result.success) throw zodToConfigError(result.error);
  return result.data as ClapModelConfig;
}

/**
 * Resolves `config.audio` to a full {@link LogMelConfig}: the preset, then the overrides,
 * validated by @clapjs/audio (`validateLogMelConfig`).
 * @throws ConfigError at `audio.preset` for an unknown preset, or at `audio.<key>` for an unknown
 * key or a bad value
 */
export function resolveAudioConfig(audio: ClapModelConfig['audio']): LogMelConfig {
  const { preset, ...overrides } = audio;
  const base = getPreset(preset as PresetName);
  for (const key of Object.keys(overrides)) {
    if (!(key in base)) {
      throw new ConfigError(
        `audio.${key}`,
        `Invalid model config at audio.${key}: not a log-mel setting. Known: preset, ${Object.keys(base).join(', ')}.`,
      );
    }
  }
  return validateLogMelConfig({ ...base, ...overrides } as LogMelConfig);
}
