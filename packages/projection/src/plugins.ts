import { ConfigError, definePlugin, z } from '@clapjs/core';
import { LinearProjection, MlpProjection, ResidualProjection } from './heads.js';
import { VERSION } from './version.js';

// Bounded so that a typo (1e8) is a config error, not a run that allocates until it is killed.
const dim = z.number().int().positive().max(16384, 'at most 16384');
const rate = z.number().min(0).lt(1);

const common = {
  kind: 'projection',
  version: VERSION,
  coreVersion: '^0.1.0',
  origin: '@clapjs/projection',
} as const;

/** The encoder width comes from the model builder, not the config; still refuse nonsense. */
function checkInputDim(inputDim: number, name: string): number {
  if (!Number.isInteger(inputDim) || inputDim <= 0) {
    throw new ConfigError(
      'inputDim',
      `${name} projection: inputDim (the encoder's output width) must be a positive integer, got ${inputDim}. ` +
        'Check the encoder config that feeds this projection.',
    );
  }
  return inputDim;
}

/** `linear`: one Linear layer to `dim`. */
export const linearPlugin = definePlugin({
  ...common,
  name: 'linear',
  description: 'One linear layer into the joint space',
  configSchema: z.strictObject({ dim, dropout: rate.default(0), bias: z.boolean().default(true) }),
  create: (config, context) =>
    new LinearProjection(config, checkInputDim(context.inputDim, config.name), context.rng),
});

/** `mlp` (LAION-CLAP): Linear → ReLU | GELU → Linear; `hidden` defaults to `dim`. */
export const mlpPlugin = definePlugin({
  ...common,
  name: 'mlp',
  description: 'Two linear layers with ReLU or GELU between them (LAION-CLAP)',
  configSchema: z.strictObject({
    dim,
    hidden: dim.optional(),
    activation: z.enum(['relu', 'gelu']).default('relu'),
    dropout: rate.default(0),
    bias: z.boolean().default(true),
  }),
  create: (config, context) =>
    new MlpProjection(
      { ...config, hidden: config.hidden ?? config.dim },
      checkInputDim(context.inputDim, config.name),
      context.rng,
    ),
});

/** `residual` (msclap): Linear → GELU → Linear → Dropout → + first output → LayerNorm. */
export const residualPlugin = definePlugin({
  ...common,
  name: 'residual',
  description: 'msclap projection: Linear, GELU, Linear, dropout, residual, LayerNorm',
  configSchema: z.strictObject({
    dim,
    dropout: rate.default(0.5),
    bias: z.boolean().default(false),
  }),
  create: (config, context) =>
    new ResidualProjection(config, checkInputDim(context.inputDim, config.name), context.rng),
});

/** Every built-in projection plugin. */
export const projectionPlugins = [linearPlugin, mlpPlugin, residualPlugin] as const;
