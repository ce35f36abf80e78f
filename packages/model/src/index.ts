/**
 * @clapjs/model — a CLAP model built from one JSON config through the plugin registry: encode
 * audio and text, score, classify zero-shot, retrieve; save/load in the tfjs weights format (Node
 * and browser); safetensors import/export with PANNs, msclap and Hugging Face BERT name maps.
 *
 * Importing this entry registers the built-in plugins of the part packages (audio encoders, text
 * encoders and tokenizers, projections, similarities), so the default config works out of the box.
 * @packageDocumentation
 */
import '@clapjs/audio-encoders/register';
import '@clapjs/text-encoders/register';
import '@clapjs/projection/register';
import '@clapjs/similarity/register';

export {
  clapModelConfigSchema,
  defaultModelConfig,
  parseModelConfig,
  resolveAudioConfig,
} from './config.js';
export type { ClapModelConfig, ClapModelConfigInput, PartConfigInput } from './config.js';
export { PART_SLOTS, SLOT_KINDS } from './build.js';
export type { PartSlot } from './build.js';
export type { FreezeEntry } from './freeze.js';
export { ClapModel } from './model.js';
export type {
  AudioInput,
  ClapCreateOptions,
  ForwardResult,
  RetrievalHit,
  TextInput,
  ZeroShotResult,
} from './model.js';
export type { FusionInputOptions } from './fusion-input.js';
export type { ModelSource } from './io.js';
export { firstNonFiniteWeight, WEIGHTS_MANIFEST_FILE } from './weights.js';
export type { EncodeOptions, WeightsManifest } from './weights.js';
export { MIN_QUANTIZED_SIZE, WEIGHT_QUANTIZATIONS } from './quantize.js';
export type { WeightQuantization } from './quantize.js';
export { ModelFormatError, PartContractError, WeightsError } from './errors.js';
export { readSafetensors, writeSafetensors } from './safetensors.js';
export type { SafetensorsDtype, SafetensorsTensor } from './safetensors.js';
export {
  exportSafetensors,
  fromTheirLayout,
  identityNameMap,
  importSafetensors,
  prefixNameMap,
  theirShape,
} from './convert.js';
export type { ImportReport, NameMap, NameMapEntry, TensorLayout } from './convert.js';
export {
  bertTextEncoderNameMap,
  msclapNameMap,
  msclapProjectionNameMap,
  pannsAudioEncoderNameMap,
} from './name-maps.js';
