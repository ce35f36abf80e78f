import { ClapError } from '@clapjs/core';

/**
 * An index could not be opened, written or searched. `code` is stable, e.g. `INDEX_TABLE_MISSING`,
 * `INDEX_ROOT_MISSING`, `INDEX_QUERY_INVALID`, `INDEX_FILE_OUTSIDE_ROOTS`.
 */
export class IndexError extends ClapError {}

/** What identifies a model: its config hash and its weights hash (a fine-tuned model is another model). */
export interface ModelIdentity {
  /** sha256 of the model's config (keys sorted), hex. */
  readonly configHash: string;
  /** sha256 of every weight (name, shape, float32 bytes, in name order), hex. */
  readonly weightsHash: string;
  /** Where the model was loaded from, when known (a directory), for messages and defaults. */
  readonly source?: string;
}

function describe(identity: ModelIdentity): string {
  const where = identity.source === undefined ? '' : ` from ${identity.source}`;
  return `model${where} (config ${identity.configHash.slice(0, 12)}, weights ${identity.weightsHash.slice(0, 12)})`;
}

/**
 * A table built with one model was asked to take queries or rows from another: their embeddings
 * live in different spaces, so the results would be meaningless.
 */
export class ModelMismatchError extends IndexError {
  /** The model the table was built with. */
  readonly tableModel: ModelIdentity;
  /** The model that was used now. */
  readonly usedModel: ModelIdentity;

  constructor(table: string, tableModel: ModelIdentity, usedModel: ModelIdentity) {
    super(
      'INDEX_MODEL_MISMATCH',
      `Table "${table}" was built with ${describe(tableModel)}, but ${describe(usedModel)} was given. ` +
        `Search it with the model it was built with (omit --model to use it), or build another table for this model (--table NAME).`,
    );
    this.tableModel = tableModel;
    this.usedModel = usedModel;
  }
}
