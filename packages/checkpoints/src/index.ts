/**
 * @clapjs/checkpoints — published CLAP checkpoints into clapjs. Lazy, data-only readers of
 * PyTorch checkpoints (`torch.save` zip archives through an allow-listed unpickler that never
 * runs code) and of single or sharded safetensors files.
 * @packageDocumentation
 */
export { CheckpointError } from './readers/errors.js';
export type { CheckpointErrorCode } from './readers/errors.js';
