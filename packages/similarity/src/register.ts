/**
 * Registers the built-in similarities (`cosine`, `dot`) with @clapjs/core.
 * @packageDocumentation
 */
import { register, type AnyPlugin } from '@clapjs/core';
import { similarityPlugins } from './plugins.js';

for (const plugin of similarityPlugins as readonly AnyPlugin[]) register(plugin);
