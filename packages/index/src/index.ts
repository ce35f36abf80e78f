/**
 * @clapjs/index — embed an audio library once and search it many times: a LanceDB table per
 * model (long files as windows, one hit per file), resumable idempotent builds, distributed
 * BullMQ/Redis workers and a Fastify HTTP search API.
 * @packageDocumentation
 */
export { IndexError, ModelMismatchError } from './errors.js';
export type { ModelIdentity } from './errors.js';
export { modelIdentity, sameModel } from './identity.js';
export { AUDIO_EXTENSIONS, fileId, walkAudioFiles } from './walk.js';
export type { LibraryFile } from './walk.js';
export { fileWindows } from './windows.js';
export type { FileWindow } from './windows.js';
export { Embedder } from './embed.js';
export type { EmbeddedFile, FileFailure } from './embed.js';
export { DEFAULT_TABLE, LibraryIndex } from './store.js';
export type { OpenOptions, TableInfo } from './store.js';
export type { IndexRow } from './schema.js';
export { indexBatch } from './batch.js';
export type { BatchResult, LibraryRoot } from './batch.js';
export { ANN_MIN_ROWS, annParameters, buildIndexes } from './indexes.js';
export type { AnnParameters, IndexOptions, IndexReport } from './indexes.js';
export { buildLibrary, DEFAULT_BATCH_FILES, DEFAULT_ROOT_NAME, pruneMissing } from './build.js';
export type { BuildOptions, BuildProgress, BuildSummary } from './build.js';
export { searchByVector } from './search.js';
export type { SearchHit, SearchOptions } from './search.js';
export { enqueueLibrary, waitForBuild } from './queue.js';
export type { EnqueueOptions, EnqueueResult, QueueProgress } from './queue.js';
export { queueName } from './jobs.js';
export type { EmbedJobResult, FinalizeJobResult } from './jobs.js';
export { startIndexWorker } from './worker.js';
export type { IndexWorkerOptions, ProcessorConfig } from './worker.js';
export { createSearchServer } from './server.js';
export type { SearchServerOptions } from './server.js';
