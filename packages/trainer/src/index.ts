/**
 * @clapjs/trainer — trains clapjs CLAP models: a checkpointable Adam/AdamW, warmup + cosine
 * schedule, global-norm clipping, a non-finite-step guard, atomic checkpoints with exact resume,
 * retrieval (R@k, mAP@10) and zero-shot evaluation, and callback plugins. Pure: importing it
 * registers nothing; import `@clapjs/trainer/register` for the callback plugins.
 * @packageDocumentation
 */
export { Trainer } from './trainer.js';
export { TRAINER_DEFAULTS } from './defaults.js';
export type { TrainerOptions, TrainResult } from './trainer.js';
export { AdamOptimizer, globalNorm } from './optimizer.js';
export type { AdamOptions, OptimizerState } from './optimizer.js';
export { warmupCosine } from './schedule.js';
export type { ScheduleOptions } from './schedule.js';
export {
  checkpointName,
  listCheckpoints,
  readCheckpoint,
  removeCheckpoint,
  removeStaleTemporaries,
  writeCheckpoint,
  STATE_FILE,
} from './checkpoint.js';
export type { CheckpointMeta, LoadedCheckpoint } from './checkpoint.js';
export { classEmbeddings, evaluate, zeroShotOnEmbeddings, DEFAULT_TEMPLATE } from './evaluate.js';
export type { EvaluateOptions, EvaluationResult, SimilaritySample } from './evaluate.js';
export { retrievalMetrics, zeroShotMetrics } from './metrics.js';
export type { RetrievalMetrics, ZeroShotMetrics } from './metrics.js';
export {
  callbackPlugins,
  checkpointCallback,
  earlyStopCallback,
  evalCallback,
  loggerCallback,
} from './callbacks.js';
export { TrainerError } from './errors.js';
export { defaultWorkerSetup, resolveModule } from './worker-setup.js';
export type { Batch, BatchSource, StatefulRng, TrainableModel } from './types.js';
export { VERSION } from './version.js';
