/**
 * Registers the built-in similarities (`cosine`, `dot`) with @clapjs/core.
 * @packageDocumentation
 */
import { register } from '@clapjs/core';
import { cosinePlugin, dotPlugin } from './plugins.js';

register(cosinePlugin);
register(dotPlugin);
