// The BullMQ sandboxed processor of the index jobs: one child process per worker slot. It loads
// the model once and keeps it for every job it runs.
import { ClapModel } from '@clapjs/model';
import { UnrecoverableError, type SandboxedJob } from 'bullmq';
import { indexBatch } from './batch.js';
import { pruneMissing } from './build.js';
import { Embedder, type FileFailure } from './embed.js';
import { IndexError, ModelMismatchError } from './errors.js';
import { sameModel } from './identity.js';
import { buildIndexes } from './indexes.js';
import {
  EMBED_JOB,
  type EmbedJobData,
  type EmbedJobResult,
  type FinalizeJobData,
  type FinalizeJobResult,
} from './jobs.js';
import { LibraryIndex } from './store.js';
import { PROCESSOR_CONFIG_ENV, type ProcessorConfig } from './worker.js';

const config = JSON.parse(process.env[PROCESSOR_CONFIG_ENV] ?? '{}') as ProcessorConfig;
let setupDone: Promise<void> | undefined;
const indexes = new Map<string, Promise<LibraryIndex>>();
const embedders = new Map<string, Promise<Embedder>>();

function setup(): Promise<void> {
  setupDone ??= (async () => {
    if (config.setup === undefined) return;
    const module = (await import(config.setup)) as { setup?: () => unknown };
    if (typeof module.setup === 'function') await module.setup();
  })();
  return setupDone;
}

function openIndex(table: string): Promise<LibraryIndex> {
  let index = indexes.get(table);
  if (index === undefined) {
    index = LibraryIndex.open(config.db, {
      table,
      ...(config.storageOptions === undefined ? {} : { storageOptions: config.storageOptions }),
    });
    indexes.set(table, index);
  }
  return index;
}

async function embedderFor(index: LibraryIndex): Promise<Embedder> {
  const dir = config.model ?? (await index.requireInfo()).model.source;
  if (dir === undefined)
    throw new IndexError(
      'INDEX_MODEL_UNKNOWN',
      `Table "${index.name}" records no model directory; start the worker with --model DIR.`,
    );
  let embedder = embedders.get(dir);
  if (embedder === undefined) {
    embedder = ClapModel.load(dir).then((model) => Embedder.create(model, dir));
    embedders.set(dir, embedder);
  }
  return embedder;
}

function rootPath(name: string): string {
  const path = config.roots[name];
  if (path === undefined)
    throw new IndexError(
      'INDEX_ROOT_UNMAPPED',
      `This worker has no directory for the root "${name}". Start it with --root ${name}=/path/to/the/files.`,
    );
  return path;
}

async function embedJob(job: SandboxedJob<EmbedJobData>): Promise<EmbedJobResult> {
  const { table, model, root, files } = job.data;
  const index = await openIndex(table);
  const embedder = await embedderFor(index);
  if (!sameModel(embedder.identity, model))
    throw new ModelMismatchError(table, model, embedder.identity);
  const result = await indexBatch(index, embedder, { name: root, path: rootPath(root) }, files);
  await job.updateProgress(100);
  return { files: files.length, ...result };
}

async function finalizeJob(job: SandboxedJob<FinalizeJobData>): Promise<FinalizeJobResult> {
  const index = await openIndex(job.data.table);
  const children = Object.values(await job.getChildrenValues<EmbedJobResult>());
  const failed = Object.keys(await job.getIgnoredChildrenFailures());
  const sum = (key: 'files' | 'embedded' | 'unchanged' | 'rowsAdded') =>
    children.reduce((total, c) => total + c[key], 0);
  const failures: FileFailure[] = children.flatMap((c) => c.failures);
  const pruned = job.data.prune
    ? await pruneMissing(index, { name: job.data.root, path: rootPath(job.data.root) })
    : 0;
  return {
    files: sum('files'),
    embedded: sum('embedded'),
    unchanged: sum('unchanged'),
    rowsAdded: sum('rowsAdded'),
    failures,
    pruned,
    failedBatches: failed,
    indexes: await buildIndexes(index, job.data.indexOptions),
  };
}

/** Runs one index job; errors that a retry cannot fix (wrong model, unmapped root) fail it at once. */
export default async function processIndexJob(job: SandboxedJob): Promise<unknown> {
  await setup();
  try {
    return job.name === EMBED_JOB
      ? await embedJob(job as SandboxedJob<EmbedJobData>)
      : await finalizeJob(job as SandboxedJob<FinalizeJobData>);
  } catch (error) {
    if (error instanceof IndexError && error.code !== 'INDEX_FILE_UNREADABLE')
      throw new UnrecoverableError(error.message);
    throw error;
  }
}
