import semver from 'semver';
import type { z } from 'zod';
import { ConfigError, PluginError } from './errors.js';
import { assertPluginShape, pluginLabel } from './plugin.js';
import type { AnyPlugin, Plugin, PluginContexts, PluginInstances, PluginKind } from './plugin.js';
import { CORE_VERSION } from './version.js';

type Table = Map<PluginKind, Map<string, AnyPlugin>>;

// The registry lives on globalThis so that two copies of @clapjs/core (ESM and CJS, or two
// bundles) share one table, as tfjs does with its kernel registry.
const GLOBAL_KEY = Symbol.for('@clapjs/core/registry');

function table(): Table {
  const holder = globalThis as unknown as Record<symbol, Table | undefined>;
  holder[GLOBAL_KEY] ??= new Map();
  return holder[GLOBAL_KEY];
}

function sameSource(a: AnyPlugin, b: AnyPlugin): boolean {
  return a.kind === b.kind && a.name === b.name && a.origin === b.origin && a.version === b.version;
}

/**
 * Adds a plugin to the global registry. Registering the same plugin again (same kind, name,
 * origin and version, e.g. its ESM and CJS copies) does nothing; anything else under a taken
 * name is refused.
 * @throws PluginError when the plugin is malformed (unknown kind, invalid name, missing origin,
 * version, `create` or schema), `coreVersion` excludes the running core, or the name is taken by
 * a different plugin
 */
export function register<K extends PluginKind, S extends z.ZodType>(plugin: Plugin<K, S>): void {
  assertPluginShape(plugin);
  const label = pluginLabel(plugin);
  if (!semver.validRange(plugin.coreVersion)) {
    throw new PluginError(
      'PLUGIN_CORE_VERSION_INVALID',
      `${label} declares coreVersion "${plugin.coreVersion}", which is not a semver range; use e.g. "^${CORE_VERSION}".`,
    );
  }
  if (!semver.satisfies(CORE_VERSION, plugin.coreVersion, { includePrerelease: true })) {
    throw new PluginError(
      'PLUGIN_CORE_VERSION_MISMATCH',
      `${label} requires @clapjs/core ${plugin.coreVersion}, but @clapjs/core ${CORE_VERSION} is running; ` +
        `install a version of ${plugin.origin} built for core ${CORE_VERSION}, or a core that satisfies ${plugin.coreVersion}.`,
    );
  }
  let byName = table().get(plugin.kind);
  if (byName === undefined) {
    byName = new Map();
    table().set(plugin.kind, byName);
  }
  const existing = byName.get(plugin.name);
  const candidate = plugin as unknown as AnyPlugin;
  if (existing !== undefined) {
    if (sameSource(existing, candidate)) return;
    throw new PluginError(
      'PLUGIN_NAME_TAKEN',
      `Cannot register ${label}: the name "${plugin.name}" is already taken by ${existing.origin}@${existing.version}. ` +
        `Rename one of them (names are per kind) or unregister the first.`,
    );
  }
  byName.set(plugin.name, candidate);
}

/** Removes a plugin (for tests and hot reload). Returns whether one was removed. */
export function unregister(kind: PluginKind, name: string): boolean {
  return table().get(kind)?.delete(name) ?? false;
}

/**
 * Finds a registered plugin.
 * @throws PluginError naming the known plugins of that kind when there is none by that name
 */
export function get<K extends PluginKind>(kind: K, name: string): Plugin<K> {
  const plugin = table().get(kind)?.get(name);
  if (plugin === undefined) {
    const known = list(kind).map((p) => p.name);
    throw new PluginError(
      'PLUGIN_UNKNOWN',
      `Unknown ${kind} "${name}". Known: ${known.length > 0 ? known.join(', ') : '(none registered)'}. ` +
        `Check the spelling, or import the package that registers it (e.g. list it under "plugins" in the config).`,
    );
  }
  return plugin as unknown as Plugin<K>;
}

/** All registered plugins, of one kind or of every kind, sorted by kind then name. */
export function list(kind?: PluginKind): AnyPlugin[] {
  const kinds = kind === undefined ? [...table().keys()] : [kind];
  return kinds
    .flatMap((k) => [...(table().get(k)?.values() ?? [])])
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}

/**
 * Validates a config against a plugin's schema and returns the parsed value (defaults filled in).
 * @param where the config key this config sits under, used in error messages (e.g. `audioEncoder`)
 * @throws ConfigError naming the offending key, e.g. `audioEncoder.width`
 */
export function parseConfig<K extends PluginKind>(
  kind: K,
  config: { readonly name: string } & Record<string, unknown>,
  where: string = kind,
): { plugin: Plugin<K>; config: Record<string, unknown> & { name: string } } {
  const plugin = get(kind, config.name);
  const { name, ...rest } = config;
  const result = plugin.configSchema.safeParse(rest);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = [where, ...(issue?.path ?? []).map(String)].join('.');
    throw new ConfigError(
      key,
      `Invalid config at ${key} (${kind} "${name}"): ${issue?.message ?? 'invalid value'}. ` +
        `Fix that key in your config; see the ${plugin.origin} README for the accepted values.`,
      { cause: result.error },
    );
  }
  return { plugin, config: { name, ...(result.data as Record<string, unknown>) } };
}

/**
 * Validates a config and builds the part it names.
 * @example create('projection', { name: 'linear', dim: 256 }, { inputDim: 512, rng })
 */
export function create<K extends PluginKind>(
  kind: K,
  config: { readonly name: string } & Record<string, unknown>,
  context: PluginContexts[K],
  where?: string,
): PluginInstances[K] {
  const parsed = parseConfig(kind, config, where);
  return parsed.plugin.create(parsed.config, context);
}
