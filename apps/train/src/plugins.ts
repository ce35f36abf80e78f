import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
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

/**
 * Imports the packages a config lists under `plugins`: npm names resolve from the config's
 * directory (then from clapjs itself), `./` and `../` paths relative to it.
 * @throws CliError naming the plugin that cannot be imported
 */
export async function importPlugins(specifiers: readonly string[], baseDir: string): Promise<void> {
  for (const spec of specifiers) {
    let target: string;
    try {
      target =
        spec.startsWith('.') || spec.startsWith('/')
          ? pathToFileURL(resolve(baseDir, spec)).href
          : pathToFileURL(createRequire(resolve(baseDir, 'config.js')).resolve(spec)).href;
    } catch {
      target = spec;
    }
    try {
      await import(target);
    } catch (error) {
      throw new CliError(
        'PLUGIN_IMPORT',
        `Cannot import plugin package "${spec}" listed under plugins (from ${baseDir}): ${(error instanceof Error ? error.message : `it threw ${String(error)}`).split('\n')[0]}. ` +
          'Install it next to the config, or give a ./path relative to the config file.',
        { cause: error },
      );
    }
  }
}
