/**
 * The programmatic side of the `clapjs` CLI (used by its tests and scripts).
 * @packageDocumentation
 */
export { loadConfig, parseTrainConfig, trainConfigSchema } from './config.js';
export type { LoadedConfig, TrainConfig } from './config.js';
export { runTraining } from './run-train.js';
export type { TrainRunOptions, TrainRunSummary } from './run-train.js';
export { renderReport } from './report/html.js';
export { withShuffledCaptions } from './data.js';
export { CliError } from './errors.js';
export { importModelPlugins } from './plugins.js';
export type { ImportedPlugin } from './plugins.js';
