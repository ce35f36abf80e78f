/**
 * Registers the built-in losses (`symmetric-clap`, `infonce`, `siglip`) with @clapjs/core.
 * @packageDocumentation
 */
import { register, type AnyPlugin } from '@clapjs/core';
import { lossPlugins } from './plugins.js';

for (const plugin of lossPlugins as readonly AnyPlugin[]) register(plugin);
