/**
 * @clapjs/checkpoints — published CLAP checkpoints into clapjs. Lazy, data-only readers of
 * PyTorch checkpoints (`torch.save` zip archives through an allow-listed unpickler that never
 * runs code) and of single or sharded safetensors files.
 * @packageDocumentation
 */
export { CheckpointError } from './readers/errors.js';
export type { CheckpointErrorCode } from './readers/errors.js';
export { openCheckpoint } from './readers/open.js';
export { findStateDict } from './readers/reader.js';
export type {
  CheckpointFormat,
  CheckpointReader,
  OpenCheckpointOptions,
  TensorInfo,
} from './readers/reader.js';
export type { TensorData } from './readers/convert.js';
export type { TopLevelEntry } from './readers/tree.js';
export type { TorchDtype } from './readers/pickle-values.js';
export { ALLOWED_GLOBALS } from './readers/torch-pickle.js';
export { importCheckpoint } from './import/import-checkpoint.js';
export type {
  CheckpointImportReport,
  ImportCheckpointOptions,
  TensorSource,
} from './import/import-checkpoint.js';
export { ImportError } from './import/errors.js';
export type { ImportErrorCode } from './import/errors.js';
export { parseOverrides } from './import/set-overrides.js';
export type { ConfigOverride } from './import/set-overrides.js';
export { CHECKPOINT_FAMILIES, findFamily } from './families/index.js';
export type {
  CheckpointFamily,
  DerivedSetting,
  FamilyInputs,
  FrontEndTensor,
  ImportEntry,
  ShapeTable,
} from './families/family.js';
export { MSCLAP_2022_DEFAULTS, msclap2022 } from './families/msclap-2022.js';
export { HF_CLAP_DEFAULTS, hfClap } from './families/hf-clap.js';
export { LAION_CLAP_DEFAULTS, laionClap } from './families/laion-clap.js';
export { MSCLAP_2023_DEFAULTS, msclap2023 } from './families/msclap-2023.js';
