import { ClapError } from '@clapjs/core';

/**
 * Saved weights do not fit the model: a variable is missing, has another shape or dtype, or the
 * file holds weights the model does not have. `variable` names the weight concerned.
 *
 * Codes: `WEIGHTS_MISSING`, `WEIGHTS_SHAPE_MISMATCH`, `WEIGHTS_DTYPE_MISMATCH`, `WEIGHTS_UNEXPECTED`.
 */
export class WeightsError extends ClapError {
  /** The path of the weight concerned (ours, e.g. `audioEncoder/conv1/kernel`). */
  readonly variable: string;

  constructor(code: string, variable: string, message: string) {
    super(code, message);
    this.variable = variable;
  }
}

/**
 * A saved model or a weights file cannot be read: a file is missing, malformed, or of an
 * unsupported format version. Codes: `MODEL_FILE_MISSING`, `MODEL_FORMAT`, `SAFETENSORS_FORMAT`.
 */
export class ModelFormatError extends ClapError {}

/**
 * A part built by a plugin does not keep the part contract (core's contracts): a method is
 * missing, a declared dim is not a positive integer, or a probe batch gives the wrong shape or
 * dtype. `slot` names the model slot (e.g. `audioEncoder`); the message names the plugin and its
 * package. Code: `PART_CONTRACT`.
 */
export class PartContractError extends ClapError {
  /** The model slot whose part broke the contract. */
  readonly slot: string;

  constructor(slot: string, message: string) {
    super('PART_CONTRACT', message);
    this.slot = slot;
  }
}
