/**
 * Registers the built-in projections (`linear`, `mlp`, `residual`) with @clapjs/core.
 * @packageDocumentation
 */
import { register, type AnyPlugin } from '@clapjs/core';
import { projectionPlugins } from './plugins.js';

for (const plugin of projectionPlugins as readonly AnyPlugin[]) register(plugin);
