import type { UserConfig } from 'vite';
import type { PluginError } from '@clapjs/core';

/** A plugin package to bundle into the demo site. */
export interface SitePlugin {
  /** The package name (or the file, for a ./path plugin). */
  readonly name: string;
  readonly version: string;
  /** What the page imports: the package name, or the file of a ./path plugin. */
  readonly entry: string;
  /** The directory the package was resolved from. */
  readonly from: string;
  /** The package's own directory. */
  readonly dir: string;
}

/** The error for a plugin package that cannot go into the browser bundle (`PLUGIN_NOT_BROWSER`). */
export function notBrowserBundlable(
  plugins: readonly { name: string; version: string }[],
  why: string,
): PluginError;

/** The demo's Vite configuration, with plugin packages bundled in when given. */
export function demoViteConfig(options?: {
  plugins?: readonly SitePlugin[];
  outDir?: string;
  failures?: Error[];
}): UserConfig;
