import { ClapError } from '@clapjs/core';

/**
 * Stable codes of {@link CheckpointError}:
 * - `CHECKPOINT_NOT_FOUND`: the path does not exist or is not a regular file;
 * - `CHECKPOINT_FORMAT_UNKNOWN`: neither a torch zip, a legacy torch pickle nor safetensors;
 * - `CHECKPOINT_LEGACY_FORMAT`: a malformed torch legacy (pre-1.6, non-zip) file;
 * - `ZIP_FORMAT`, `ZIP_COMPRESSED`: a malformed zip, or a compressed entry (torch stores);
 * - `PICKLE_FORMAT`: a malformed or unsupported pickle;
 * - `PICKLE_GLOBAL_REFUSED`: the pickle names a global outside the allow-list (never run);
 * - `PICKLE_OPCODE_REFUSED`: an opcode that can only build arbitrary objects;
 * - `TORCH_FORMAT`: the pickle is valid but its tensors or storages do not fit the archive;
 * - `SAFETENSORS_FORMAT`: a safetensors header breaks the format's rules;
 * - `SHARD_INDEX_FORMAT`: a sharded checkpoint's `*.index.json` is malformed;
 * - `STATE_DICT_NOT_FOUND`: no (or no single) dict of weights under the key asked for;
 * - `TENSOR_NAME_CLASH`: stripping a prefix would give two tensors one name;
 * - `TENSOR_NOT_FOUND`, `TENSOR_DTYPE_UNSUPPORTED`, `TENSOR_INT_RANGE`: reading one tensor;
 * - `CHECKPOINT_CLOSED`: the reader was used after `close()`.
 */
export type CheckpointErrorCode =
  | 'CHECKPOINT_NOT_FOUND'
  | 'CHECKPOINT_FORMAT_UNKNOWN'
  | 'CHECKPOINT_LEGACY_FORMAT'
  | 'ZIP_FORMAT'
  | 'ZIP_COMPRESSED'
  | 'PICKLE_FORMAT'
  | 'PICKLE_GLOBAL_REFUSED'
  | 'PICKLE_OPCODE_REFUSED'
  | 'TORCH_FORMAT'
  | 'SAFETENSORS_FORMAT'
  | 'SHARD_INDEX_FORMAT'
  | 'STATE_DICT_NOT_FOUND'
  | 'TENSOR_NAME_CLASH'
  | 'TENSOR_NOT_FOUND'
  | 'TENSOR_DTYPE_UNSUPPORTED'
  | 'TENSOR_INT_RANGE'
  | 'CHECKPOINT_CLOSED';

/** A checkpoint file could not be read; `code` says why (see {@link CheckpointErrorCode}). */
export class CheckpointError extends ClapError {
  declare readonly code: CheckpointErrorCode;

  constructor(code: CheckpointErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
