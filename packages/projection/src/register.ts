/**
 * Registers the built-in projections (`linear`, `mlp`, `residual`) with @clapjs/core.
 * @packageDocumentation
 */
import { register } from '@clapjs/core';
import { linearPlugin, mlpPlugin, residualPlugin } from './plugins.js';

register(linearPlugin);
register(mlpPlugin);
register(residualPlugin);
