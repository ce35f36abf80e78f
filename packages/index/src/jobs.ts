import { createHash } from 'node:crypto';
import type { FileFailure } from './embed.js';
import type { ModelIdentity } from './errors.js';
import type { IndexOptions, IndexReport } from './indexes.js';
import { fileId, type LibraryFile } from './walk.js';

/** The BullMQ queue the index jobs go to (one per table: several libraries never mix). */
export function queueName(table: string): string {
  return `clapjs-index-${table}`;
}

/** A batch job: embed these files of a named root into the table. */
export interface EmbedJobData {
  readonly table: string;
  readonly model: ModelIdentity;
  readonly root: string;
  readonly files: readonly LibraryFile[];
}

/** The parent job, run when every batch is done: prune (optional), compact, build the indexes. */
export interface FinalizeJobData {
  readonly table: string;
  readonly model: ModelIdentity;
  readonly root: string;
  readonly prune: boolean;
  /** Which indexes to build (absent in jobs enqueued before the option existed: the defaults). */
  readonly indexOptions?: IndexOptions;
  readonly batches: number;
}

/** What an embed job returns. */
export interface EmbedJobResult {
  readonly files: number;
  readonly embedded: number;
  readonly unchanged: number;
  readonly rowsAdded: number;
  readonly failures: readonly FileFailure[];
}

/** What the parent job returns: the whole build's summary. */
export interface FinalizeJobResult extends EmbedJobResult {
  readonly pruned: number;
  /** Batches that failed after every retry (their files are missing from the table). */
  readonly failedBatches: readonly string[];
  readonly indexes: IndexReport;
}

/** Job names on the queue. */
export const EMBED_JOB = 'embed';
export const FINALIZE_JOB = 'finalize';

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 24);
}

/** The id of a batch: the hash of its files (path, size, mtime), the root and the table. */
export function batchKey(data: EmbedJobData): string {
  // File ids: path, size, mtime and any manifest caption/metadata (a changed caption is new work).
  const files = data.files.map((f) => fileId(data.root, f)).join('\n');
  return hash(
    `${data.table}\n${data.model.configHash}\n${data.model.weightsHash}\n${data.root}\n${files}`,
  );
}

/**
 * The job ids of one build: the parent's is the hash of every batch key (and the prune flag and
 * any index option), each child's the hash of the parent's and its own, so enqueueing the same
 * library twice adds no job.
 */
export function flowIds(
  batches: readonly EmbedJobData[],
  prune: boolean,
  indexOptions: IndexOptions = {},
): { parent: string; children: string[] } {
  const keys = batches.map(batchKey);
  // Default index options add nothing to the key: ids stay those of builds enqueued without them.
  const options =
    indexOptions.ann === undefined && indexOptions.fullText === undefined
      ? ''
      : `${indexOptions.ann ?? 'auto'} ${indexOptions.fullText ?? true}\n`;
  const parent = `build-${hash(`${prune}\n${options}${keys.join('\n')}`)}`;
  return { parent, children: keys.map((k) => `batch-${hash(`${parent}\n${k}`)}`) };
}
