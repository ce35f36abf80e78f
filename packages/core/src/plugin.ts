import type { z } from 'zod';
import type {
  AudioEncoder,
  ContrastiveLoss,
  Dataset,
  Projection,
  Similarity,
  TextEncoder,
  Tokenizer,
  TrainerCallback,
} from './contracts.js';
import type { Rng } from './rng.js';

/** What each kind of plugin builds. */
export interface PluginInstances {
  'audio-encoder': AudioEncoder;
  'text-encoder': TextEncoder;
  tokenizer: Tokenizer;
  projection: Projection;
  similarity: Similarity;
  loss: ContrastiveLoss;
  dataset: Dataset;
  callback: TrainerCallback;
}

/** The kinds of plugin clapjs knows. */
export type PluginKind = keyof PluginInstances;

/** The plugin kinds, in a stable order. */
export const PLUGIN_KINDS: readonly PluginKind[] = [
  'audio-encoder',
  'text-encoder',
  'tokenizer',
  'projection',
  'similarity',
  'loss',
  'dataset',
  'callback',
];

/** What the model builder tells each kind of plugin besides its own config. */
export interface PluginContexts {
  'audio-encoder': { readonly melBins: number; readonly rng: Rng };
  'text-encoder': { readonly vocabSize: number; readonly maxLength: number; readonly rng: Rng };
  /** `captions`: the training captions, for tokenizers that fit a vocabulary. `state`: a saved one. */
  tokenizer: { readonly captions?: readonly string[]; readonly state?: unknown };
  projection: { readonly inputDim: number; readonly rng: Rng };
  similarity: { readonly rng: Rng };
  loss: Record<string, never>;
  /** `root`: the directory relative paths in the config resolve against. */
  dataset: { readonly root: string };
  callback: Record<string, unknown>;
}

/**
 * A plugin: a named factory for one model part (or dataset, or callback), with a schema for its
 * config and the range of @clapjs/core versions it was written for.
 */
export interface Plugin<K extends PluginKind = PluginKind, S extends z.ZodType = z.ZodType> {
  readonly kind: K;
  /** The name configs use, e.g. `"cnn14"`. Lower-case, digits and dashes. */
  readonly name: string;
  /** The plugin's own version (usually its package's). */
  readonly version: string;
  /** The semver range of @clapjs/core this plugin supports, e.g. `"^0.1.0"`. */
  readonly coreVersion: string;
  /** Where the plugin comes from (its npm package name), shown in conflict errors. */
  readonly origin: string;
  /** Validates the config; the `name` key is removed before validation. */
  readonly configSchema: S;
  /** A one-line description for listings. */
  readonly description?: string;
  /** Builds the part from the validated config (with its `name`) and the builder's context. */
  create(
    config: z.output<S> & { readonly name: string },
    context: PluginContexts[K],
  ): PluginInstances[K];
}

/** Any plugin, whatever its kind. */
export type AnyPlugin = { [K in PluginKind]: Plugin<K> }[PluginKind];

/**
 * Declares a plugin with full type inference of its config. Registering is a separate step
 * ({@link register}), so that defining has no side effects.
 */
export function definePlugin<K extends PluginKind, S extends z.ZodType>(
  plugin: Plugin<K, S>,
): Plugin<K, S> {
  return Object.freeze({ ...plugin });
}
