import { ClapError } from '@clapjs/core';

/**
 * Stable codes of {@link ImportError}:
 * - `IMPORT_FAMILY_UNKNOWN`: `--from` names no known family, or `auto` recognises none;
 * - `IMPORT_TENSOR_MISSING`: a tensor the family needs is not in the checkpoint;
 * - `IMPORT_SHAPE_MISMATCH`: a tensor's shape differs from what the derived config needs;
 * - `IMPORT_FRONT_END_MISMATCH`: the checkpoint's own front end (STFT kernels, mel filterbank)
 *   differs from the preset the model would use;
 * - `IMPORT_SET_INVALID`: a `--set key=value` override is malformed;
 * - `IMPORT_TOKENIZER_UNSUPPORTED`: `--tokenizer DIR` holds a vocabulary clapjs cannot use;
 * - `IMPORT_TOKENIZER_MISSING`: the checkpoint carries no tokenizer and `--tokenizer DIR` has none;
 * - `IMPORT_CONFIG_MISSING`: a snapshot folder lacks the `config.json` its family reads;
 * - `IMPORT_CONFIG_INVALID`: a snapshot's JSON file is malformed or has a value clapjs cannot build;
 * - `IMPORT_FEATURE_UNSUPPORTED`: the checkpoint uses a variant clapjs does not build (yet),
 *   e.g. a fusion model.
 */
export type ImportErrorCode =
  | 'IMPORT_FAMILY_UNKNOWN'
  | 'IMPORT_TENSOR_MISSING'
  | 'IMPORT_SHAPE_MISMATCH'
  | 'IMPORT_FRONT_END_MISMATCH'
  | 'IMPORT_SET_INVALID'
  | 'IMPORT_TOKENIZER_UNSUPPORTED'
  | 'IMPORT_TOKENIZER_MISSING'
  | 'IMPORT_CONFIG_MISSING'
  | 'IMPORT_CONFIG_INVALID'
  | 'IMPORT_FEATURE_UNSUPPORTED';

/** A checkpoint could be read but not turned into a clapjs model; `code` says why. */
export class ImportError extends ClapError {
  declare readonly code: ImportErrorCode;

  constructor(code: ImportErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
