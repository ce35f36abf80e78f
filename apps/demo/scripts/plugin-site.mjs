// The demo site for a model whose parts come from plugin packages: the model's plugins, found by
// the clapjs CLI's own resolver, bundled into a build of the demo (Vite) of their own.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'vite';
import { ClapError } from '@clapjs/core';
import { demoViteConfig, notBrowserBundlable } from './site-config.mjs';

/** Bad input to `pnpm demo` (a path, an argument, an unbuilt CLI); printed as one line. */
export class DemoError extends ClapError {}

/** The clapjs CLI's programmatic entry (apps/train, a devDependency of the demo). */
async function cliLibrary() {
  const dir = dirname(createRequire(import.meta.url).resolve('clapjs/package.json'));
  const entry = join(dir, 'dist', 'index.js');
  if (!existsSync(entry))
    throw new DemoError(
      'DEMO_CLI_NOT_BUILT',
      `The clapjs CLI is not built (${entry}); run \`pnpm --filter clapjs build\`.`,
    );
  return import(pathToFileURL(entry).href);
}

/** The package a resolved module belongs to: the nearest package.json above it (named `name`). */
function packageOf(file, name) {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { name: found, version } = JSON.parse(readFileSync(manifest, 'utf8'));
    if (name === undefined || found === name) return { dir, name: found ?? file, version };
  }
  return { dir: dirname(file), name: file, version: 'unversioned' };
}

/**
 * The plugin packages a saved model needs (config.json `plugins`, model.json's package for each
 * part that no built-in registers), found and imported in Node by the CLI's resolver: looked up
 * from each of `dirs` in turn.
 * @param {string} modelDir the saved model (config.json + model.json)
 * @param {readonly string[]} dirs where to look, in order
 * @returns {Promise<import('./site-config.mjs').SitePlugin[]>}
 * @throws CliError `PLUGIN_MISSING` naming the package and the version model.json records
 */
export async function modelPlugins(modelDir, dirs) {
  const { importModelPlugins } = await cliLibrary();
  const imported = await importModelPlugins(modelDir, dirs);
  return imported.map(({ spec, url, from }) => {
    const isFile = spec.startsWith('/');
    const pkg = packageOf(fileURLToPath(url), isFile ? undefined : spec);
    return isFile
      ? { ...pkg, name: spec, entry: from, from: dirname(from) }
      : { ...pkg, name: spec, entry: spec, from };
  });
}

/**
 * Builds the demo site with `plugins` bundled in, into `outDir` (emptied first). Vite's own
 * messages are kept to warnings.
 * @param {readonly import('./site-config.mjs').SitePlugin[]} plugins
 * @param {string} outDir
 * @throws PluginError `PLUGIN_NOT_BROWSER` naming the package and version when one cannot be bundled
 */
export async function buildPluginSite(plugins, outDir) {
  const failures = [];
  try {
    await build({
      ...demoViteConfig({ plugins, outDir, failures }),
      configFile: false,
      logLevel: 'warn',
    });
  } catch (error) {
    if (failures[0] !== undefined) throw failures[0];
    const first = String(error instanceof Error ? error.message : error).split('\n')[0];
    throw notBrowserBundlable(plugins, `the build failed: ${first}`);
  }
}
