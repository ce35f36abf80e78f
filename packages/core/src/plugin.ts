import semver from 'semver';
import type { z } from 'zod';
import { PluginError } from './errors.js';
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

/** A plugin's one-line label for messages, readable even when fields are missing. */
export function pluginLabel(plugin: Partial<Record<keyof AnyPlugin, unknown>>): string {
  const show = (value: unknown) => (typeof value === 'string' ? value : String(value));
  return `${show(plugin.kind)} plugin "${show(plugin.name)}" from ${show(plugin.origin)}@${show(plugin.version)}`;
}

/**
 * Checks that a value has the shape of a {@link Plugin} before it enters the registry: a known
 * kind, a valid name, a non-empty origin, a semver version, a `create` function and a zod schema.
 * (`coreVersion` is checked by `register` against the running core.)
 * @throws PluginError naming the plugin and the field that is wrong
 */
export function assertPluginShape(plugin: unknown): asserts plugin is AnyPlugin {
  if (typeof plugin !== 'object' || plugin === null) {
    throw new PluginError(
      'PLUGIN_INVALID',
      `register() was given ${plugin === null ? 'null' : typeof plugin}, not a plugin object; pass the object definePlugin({...}) returns.`,
    );
  }
  const p = plugin as Partial<Record<keyof AnyPlugin, unknown>>;
  const label = pluginLabel(p);
  const fail = (code: string, message: string): never => {
    throw new PluginError(code, `${label}: ${message}`);
  };
  if (!PLUGIN_KINDS.includes(p.kind as PluginKind)) {
    fail(
      'PLUGIN_KIND_UNKNOWN',
      `unknown kind "${String(p.kind)}"; use one of ${PLUGIN_KINDS.join(', ')}.`,
    );
  }
  if (typeof p.name !== 'string' || !/^[a-z0-9][a-z0-9.-]*$/.test(p.name)) {
    fail('PLUGIN_NAME_INVALID', 'the name must be lower-case letters, digits, dots and dashes.');
  }
  if (typeof p.origin !== 'string' || p.origin.trim() === '') {
    fail(
      'PLUGIN_ORIGIN_MISSING',
      'origin is missing; set it to your npm package name (it tells clashing plugins apart).',
    );
  }
  if (typeof p.version !== 'string' || semver.valid(p.version) === null) {
    fail(
      'PLUGIN_VERSION_INVALID',
      `version "${String(p.version)}" is not a semver version; set it to your package's version, e.g. "1.0.0".`,
    );
  }
  if (typeof p.create !== 'function') {
    fail(
      'PLUGIN_CREATE_MISSING',
      'create is not a function; give create(config, context) that builds the part.',
    );
  }
  const schema = p.configSchema as { safeParse?: unknown } | undefined;
  if (schema === undefined || schema === null || typeof schema.safeParse !== 'function') {
    fail(
      'PLUGIN_SCHEMA_MISSING',
      'it has no configSchema; give it a zod schema for its config (z.strictObject({...})).',
    );
  }
}
