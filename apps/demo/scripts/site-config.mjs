// The demo's Vite configuration, shared by vite.config.ts (the default site: built-in parts only)
// and by plugin-site.mjs (the same site with a model's plugin packages bundled in).
import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, relative, sep } from 'node:path';
import { PluginError } from '@clapjs/core';

/** The module the page imports (src/main.ts) to register the bundled plugin packages. */
const PLUGINS_MODULE = 'virtual:clapjs-demo-plugins';
const RESOLVED = `\0${PLUGINS_MODULE}`;
const demoDir = join(import.meta.dirname, '..');

/**
 * The error for plugin packages that cannot go into the browser bundle.
 * @param {readonly { name: string, version: string }[]} plugins
 * @param {string} why
 */
export function notBrowserBundlable(plugins, why) {
  const named = plugins.map((p) => `${p.name}@${p.version}`).join(', ');
  return new PluginError(
    'PLUGIN_NOT_BROWSER',
    `Plugin package ${named} cannot run in the demo's browser bundle: ${why}. ` +
      'Give the package a browser entry without node: imports (an exports "browser" condition; see docs/plugins.md, "Parts in the browser"), or use the model from the CLI.',
  );
}

/**
 * A Vite plugin that serves `virtual:clapjs-demo-plugins`: a module importing each plugin package
 * (importing one registers its parts with @clapjs/core's registry, as importing @clapjs/model
 * registers the built-ins), resolved from the directory the CLI's resolver found it from.
 * A static import of a Node built-in from inside a plugin package fails the build
 * ({@link notBrowserBundlable}); `failures` collects the typed error, since the bundler rewrites
 * what a hook throws (its code becomes PLUGIN_ERROR), so the hook throws a copy.
 */
function pluginModules(plugins, failures) {
  const fail = (plugin, why) => {
    const error = notBrowserBundlable([plugin], why);
    failures.push(error);
    throw new Error(error.message);
  };
  return {
    name: 'clapjs-demo-plugins',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (source === PLUGINS_MODULE) return RESOLVED;
      if (importer === RESOLVED) {
        const plugin = plugins.find((p) => p.entry === source);
        const resolved = await this.resolve(source, join(plugin.from, 'noop.js'), {
          ...options,
          skipSelf: true,
        });
        if (resolved === null || resolved.external)
          fail(plugin, `Vite cannot resolve "${source}" from ${plugin.from} for the browser`);
        return resolved;
      }
      if (importer === undefined || !isBuiltin(source) || options?.kind === 'dynamic-import')
        return null;
      const plugin = plugins.find((p) => importer.startsWith(p.dir + sep));
      if (plugin !== undefined)
        fail(plugin, `${relative(plugin.dir, importer)} imports the Node module "${source}"`);
      return null;
    },
    load(id) {
      if (id !== RESOLVED) return null;
      return plugins.map((p) => `import ${JSON.stringify(p.entry)};`).join('\n');
    },
  };
}

/**
 * The demo's Vite configuration: a static build with relative URLs, so the site can be served
 * from any path; the model export is fetched at run time from ./clap/ (see serve.mjs).
 * @param {{
 *   plugins?: readonly { name: string, version: string, entry: string, from: string, dir: string }[],
 *   outDir?: string,
 *   failures?: Error[],
 * }} [options] plugin packages to bundle (none: the default site), where to write the site, and
 * where to collect typed plugin errors
 * @returns {import('vite').UserConfig}
 */
export function demoViteConfig({ plugins = [], outDir = 'dist', failures = [] } = {}) {
  const manifest = JSON.parse(readFileSync(join(demoDir, 'package.json'), 'utf8'));
  return {
    root: demoDir,
    base: './',
    plugins: [pluginModules(plugins, failures)],
    // A plugin installed elsewhere brings its own copies of tfjs-core and @clapjs/*: one copy of
    // each (the demo's) keeps one tfjs engine and one plugin registry in the page.
    resolve: { dedupe: Object.keys(manifest.dependencies) },
    build: {
      outDir,
      target: 'es2022',
      emptyOutDir: true,
      // tfjs's wasm binaries come in through `?url` imports; keep them as files, never inlined.
      assetsInlineLimit: 0,
      chunkSizeWarningLimit: 2048,
    },
  };
}
