/**
 * @clapjs/data — datasets and the data loader: `manifest` (JSONL/CSV), `esc50`, `clotho`,
 * `audiocaps` and `webdataset` layouts, the embedded procedural `synth` dataset, and a
 * seeded, resumable, prefetching {@link DataLoader} with an on-disk log-mel cache. This entry
 * registers nothing; import `@clapjs/data/register` to register the dataset plugins.
 * @packageDocumentation
 */
export { CorruptAudioError, DatasetError, PathEscapeError } from './errors.js';
export { resolveInsideRoot } from './paths.js';
export { parseCsv, parseJsonl, readTable } from './table.js';
export type { Row } from './table.js';
export {
  hasZeroShotTask,
  isInfoIndexed,
  isSplitIndexed,
  ListDataset,
  SPLITS,
} from './list-dataset.js';
export type {
  FileItem,
  InfoIndexed,
  ItemInfo,
  SplitIndexed,
  ZeroShotDefining,
} from './list-dataset.js';
export { manifestConfigSchema, manifestDataset, readManifest } from './formats/manifest.js';
export type { ManifestConfig } from './formats/manifest.js';
export { esc50ConfigSchema, esc50Dataset } from './formats/esc50.js';
export type { Esc50Config } from './formats/esc50.js';
export { clothoConfigSchema, clothoDataset } from './formats/clotho.js';
export type { ClothoConfig } from './formats/clotho.js';
export { audiocapsConfigSchema, audiocapsDataset } from './formats/audiocaps.js';
export type { AudioCapsConfig } from './formats/audiocaps.js';
export {
  readShardAudio,
  readShardSamples,
  WEBDATASET_AUDIO_EXTENSIONS,
  WebDataset,
  webdatasetConfigSchema,
  webdatasetDataset,
} from './formats/webdataset.js';
export type { ShardSample, WebDatasetConfig } from './formats/webdataset.js';
export { datasetItems, writeWebDataset } from './formats/webdataset-write.js';
export type { WriteWebDatasetOptions, WrittenWebDataset } from './formats/webdataset-write.js';
export {
  BACKGROUNDS,
  CONTOURS,
  LOUDNESS,
  NOISE_COLOURS,
  REGISTERS,
  RHYTHMS,
  TIMBRES,
  allComboLabels,
  labelOf,
} from './synth/attributes.js';
export type {
  Background,
  Contour,
  Loudness,
  NoiseAttributes,
  NoiseColour,
  Register,
  Rhythm,
  SynthAttributes,
  SynthParams,
  Timbre,
  ToneAttributes,
} from './synth/attributes.js';
export {
  SYNTH_PROMPT_TEMPLATE,
  SynthDataset,
  synthConfigSchema,
  synthDataset,
} from './synth/dataset.js';
export type { SynthConfig, SynthDescription, ZeroShotTask } from './synth/dataset.js';
export { DataLoader } from './loader/data-loader.js';
export { datasetPlugins } from './plugins.js';
export type { Batch, DataLoaderOptions, LoaderState } from './loader/data-loader.js';
export { LogMelCache } from './loader/cache.js';
export type { FeatureStats, PadMode } from './loader/features.js';
export { FeatureMaker } from './loader/features.js';
export { loadItem } from './loader/item-loader.js';
export type { Loaded } from './loader/item-loader.js';
export type { WorkerInit, WorkerRequest, WorkerResponse } from './loader/worker-pool.js';
