/**
 * @clapjs/projection — projection heads that map encoder features into the joint space:
 * `linear`, `mlp` (LAION-CLAP) and `residual` (msclap). Importing this entry registers nothing;
 * import `@clapjs/projection/register` for that.
 * @packageDocumentation
 */
export {
  LinearProjection,
  MlpProjection,
  ProjectionInputError,
  ResidualProjection,
} from './heads.js';
export type { MlpConfig, ProjectionConfig } from './heads.js';
export { linearPlugin, mlpPlugin, projectionPlugins, residualPlugin } from './plugins.js';
export { clapProjectionNames } from './names.js';
export type { ProjectionName } from './names.js';
