import { ClapError } from '@clapjs/core';
import type { SitePlugin } from './site-config.mjs';

/** Bad input to `pnpm demo`; printed as one line. */
export class DemoError extends ClapError {}

/** The plugin packages a saved model needs, found (and imported in Node) by the CLI's resolver. */
export function modelPlugins(modelDir: string, dirs: readonly string[]): Promise<SitePlugin[]>;

/** Builds the demo site with `plugins` bundled in, into `outDir`. */
export function buildPluginSite(plugins: readonly SitePlugin[], outDir: string): Promise<void>;
