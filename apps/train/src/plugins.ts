import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { get } from '@clapjs/core';
import type { PluginKind } from '@clapjs/core';
import { SLOT_KINDS, WEIGHTS_MANIFEST_FILE } from '@clapjs/model';
import type { WeightsManifest } from '@clapjs/model';
import { resolveModule } from '@clapjs/trainer';
import { CliError } from './errors.js';

/** Imports every built-in plugin package, so configs can name any built-in part. */
export async function registerBuiltins(): Promise<void> {
  await Promise.all([
    import('@clapjs/model'), // registers the model parts (encoders, projections, similarity)
    import('@clapjs/data/register'),
    import('@clapjs/losses/register'),
    import('@clapjs/trainer/register'),
  ]);
}

const isPath = (spec: string): boolean =>
  spec.startsWith('./') || spec.startsWith('../') || isAbsolute(spec);

/**
 * Where a plugin listed by name (or ./path) is looked up, in this order: the model directory,
 * the config file's directory, the working directory, and last the CLI's own installation (for
 * packages installed beside it). Missing directories are skipped; duplicates are dropped.
 */
export function pluginSearchDirs(dirs: { model?: string; config?: string }): string[] {
  const ordered = [dirs.model, dirs.config, process.cwd()].filter(
    (d): d is string => d !== undefined,
  );
  return [...new Set(ordered.map((d) => resolve(d)))];
}

/**
 * A plugin package as {@link importPlugins} found and imported it: the specifier, the module URL
 * Node imported, and the directory it was resolved from (a bundler resolves `spec` from there to
 * get the same installed package; for a ./path, the file itself).
 */
export interface ImportedPlugin {
  readonly spec: string;
  readonly url: string;
  readonly from: string;
}

/** Where a plugin specifier resolves, looked up from each directory in turn. */
function locate(spec: string, dirs: readonly string[]): ImportedPlugin | undefined {
  if (isPath(spec)) {
    const file = dirs.map((d) => resolve(d, spec)).find((f) => existsSync(f));
    return file === undefined ? undefined : { spec, url: pathToFileURL(file).href, from: file };
  }
  for (const dir of [...dirs, dirname(import.meta.filename)]) {
    const url = resolveModule(spec, join(dir, 'noop.js'));
    if (url !== undefined) return { spec, url, from: dir };
  }
  return undefined;
}

/**
 * Imports plugin packages (importing one registers its plugins): npm names are resolved with
 * Node's resolution from each of `dirs` in turn (see {@link pluginSearchDirs}), `./` and `../`
 * paths relative to each of them, absolute paths as they are.
 * @param describe what the caller knows about a specifier (e.g. the version a model recorded),
 * appended to the error message
 * @throws CliError `PLUGIN_MISSING` when a plugin cannot be found, `PLUGIN_IMPORT` when it fails
 * to load
 */
export async function importPlugins(
  specifiers: readonly string[],
  dirs: readonly string[],
  describe: (spec: string) => string = () => '',
): Promise<ImportedPlugin[]> {
  const imported: ImportedPlugin[] = [];
  for (const spec of specifiers) {
    const found = locate(spec, dirs);
    if (found === undefined) {
      throw new CliError(
        'PLUGIN_MISSING',
        `Cannot find plugin package "${spec}"${describe(spec)}, looked up from ${dirs.join(', ')}. ` +
          (isPath(spec)
            ? 'Give a path relative to one of those directories, or an absolute one.'
            : `Install it in one of those directories (npm install ${spec}).`),
      );
    }
    const { url } = found;
    try {
      await import(url);
    } catch (error) {
      throw new CliError(
        'PLUGIN_IMPORT',
        `Cannot import plugin package "${spec}"${describe(spec)} (${url}): ${(error instanceof Error ? error.message : `it threw ${String(error)}`).split('\n')[0]}. ` +
          'Reinstall it, or fix the module.',
        { cause: error },
      );
    }
    imported.push(found);
  }
  return imported;
}

/**
 * The plugin packages a training config names (top-level `plugins` and `model.plugins`), as the
 * saved model records them: npm names as they are, ./paths made absolute (they were relative to
 * the config file, which the model directory does not know).
 */
export function recordedPlugins(
  config: { plugins: readonly string[]; model: { plugins?: unknown } },
  configDir: string,
): string[] {
  const listed = [
    ...config.plugins,
    ...(Array.isArray(config.model.plugins) ? (config.model.plugins as string[]) : []),
  ];
  return [...new Set(listed.map((s) => (isPath(s) ? resolve(configDir, s) : s)))];
}

function readJsonIfPresent(file: string): unknown {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    return undefined; // ClapModel.load reports a malformed file with its own error
  }
}

function registered(kind: PluginKind, name: string): boolean {
  try {
    get(kind, name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Registers what a saved model needs before `ClapModel.load`: the built-ins, the plugin packages
 * its config.json lists (`plugins`), and the package that model.json records for any part still
 * unknown (`parts[slot].origin`). Each is looked up from `dirs` ({@link pluginSearchDirs}).
 * @returns the plugin packages it imported (the built-ins not included), in import order
 * @throws CliError `PLUGIN_MISSING` naming the part, its package and the version model.json
 * records when it cannot be found
 */
export async function importModelPlugins(
  modelDir: string,
  dirs: readonly string[],
): Promise<ImportedPlugin[]> {
  await registerBuiltins();
  const config = readJsonIfPresent(join(modelDir, 'config.json')) as
    { plugins?: unknown } | undefined;
  const manifest = readJsonIfPresent(join(modelDir, WEIGHTS_MANIFEST_FILE)) as
    Partial<WeightsManifest> | undefined;
  const parts = Object.entries(manifest?.parts ?? {});
  const recorded = (spec: string): string => {
    const part = parts.find(([, p]) => p.origin === spec);
    return part === undefined ? '' : ` (version ${part[1].version}, recorded in model.json)`;
  };
  const listed = Array.isArray(config?.plugins) ? (config.plugins as string[]) : [];
  const imported = await importPlugins(listed, dirs, recorded);
  for (const [slot, part] of parts) {
    const kind = (SLOT_KINDS as Record<string, PluginKind | undefined>)[slot];
    if (kind === undefined || registered(kind, part.name)) continue;
    const fix = `npm install ${part.origin}@${part.version} in the model's directory or the working directory`;
    if (part.origin === 'unregistered' || listed.includes(part.origin)) {
      throw new CliError(
        'PLUGIN_MISSING',
        `The model in ${modelDir} needs ${kind} "${part.name}" from ${part.origin}@${part.version} (model.json), which no imported package registers; ${fix}.`,
      );
    }
    try {
      imported.push(...(await importPlugins([part.origin], dirs, recorded)));
    } catch (error) {
      throw new CliError(
        'PLUGIN_MISSING',
        `The model in ${modelDir} needs ${kind} "${part.name}" from ${part.origin}@${part.version} (model.json), which is not installed: ${fix}.`,
        { cause: error },
      );
    }
  }
  return imported;
}
