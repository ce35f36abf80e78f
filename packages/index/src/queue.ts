import type { Redis } from 'ioredis';
import { DEFAULT_BATCH_FILES, DEFAULT_ROOT_NAME, requireRoot } from './build.js';
import type { Embedder } from './embed.js';
import { IndexError } from './errors.js';
import {
  EMBED_JOB,
  FINALIZE_JOB,
  flowIds,
  queueName,
  type EmbedJobData,
  type FinalizeJobData,
  type FinalizeJobResult,
} from './jobs.js';
import type { IndexOptions } from './indexes.js';
import type { LibraryIndex } from './store.js';
import { libraryFiles } from './manifest.js';
import { batchesOf } from './walk.js';

/** A Redis connection for BullMQ from a `redis://HOST:PORT` URL (BullMQ needs no retry limit). */
export async function redisConnection(url: string): Promise<Redis> {
  if (!/^rediss?:\/\//.test(url))
    throw new IndexError(
      'INDEX_QUEUE_URL',
      `The queue "${url}" is not a Redis URL. Give redis://HOST:PORT (Redis ≥ 6.2 with maxmemory-policy noeviction).`,
    );
  // ioredis and BullMQ load when a queue is first used, not when @clapjs/index is imported.
  const { Redis } = await import('ioredis');
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
}

/** Options of {@link enqueueLibrary}. */
export interface EnqueueOptions {
  readonly queue: string;
  readonly root: string;
  readonly rootName?: string;
  /** A manifest listing the files (with captions and metadata), as in `buildLibrary`. */
  readonly manifest?: string;
  readonly batchFiles?: number;
  readonly prune?: boolean;
  /** Which indexes the parent job builds (as in `buildLibrary`). */
  readonly indexOptions?: IndexOptions;
  /** Attempts per batch (default 5), with exponential backoff from `backoffMs` (default 1000). */
  readonly attempts?: number;
  readonly backoffMs?: number;
}

/** What {@link enqueueLibrary} did. */
export interface EnqueueResult {
  readonly parentId: string;
  readonly batches: number;
  readonly files: number;
  /** False when the same build (same files, same batches) was already enqueued. */
  readonly added: boolean;
}

/**
 * Walks a root and enqueues its files as a BullMQ flow: one child job per batch (paths relative
 * to the named root: each worker maps the name to its own directory) and a parent that prunes,
 * compacts and builds the indexes once every child is done. Job ids come from the batches, so
 * enqueueing the same library twice adds nothing. Creates the table first (one writer of its
 * metadata), so workers only ever append.
 * @throws ModelMismatchError when the table was built with another model
 */
export async function enqueueLibrary(
  index: LibraryIndex,
  embedder: Embedder,
  options: EnqueueOptions,
): Promise<EnqueueResult> {
  const rootName = options.rootName ?? DEFAULT_ROOT_NAME;
  const rootPath = await requireRoot(options.root);
  await index.ensureTable(embedder.identity, embedder.dim, { [rootName]: rootPath });
  const batches: EmbedJobData[] = [];
  let files = 0;
  for await (const batch of batchesOf(
    libraryFiles(rootPath, options.manifest),
    options.batchFiles ?? DEFAULT_BATCH_FILES,
  )) {
    batches.push({ table: index.name, model: embedder.identity, root: rootName, files: batch });
    files += batch.length;
  }
  const prune = options.prune === true;
  const indexOptions = options.indexOptions ?? {};
  const ids = flowIds(batches, prune, indexOptions);
  const name = queueName(index.name);
  const connection = await redisConnection(options.queue);
  const { FlowProducer, Queue } = await import('bullmq');
  const queue = new Queue(name, { connection });
  const flows = new FlowProducer({ connection });
  try {
    if ((await queue.getJob(ids.parent)) !== undefined)
      return { parentId: ids.parent, batches: batches.length, files, added: false };
    const data: FinalizeJobData = {
      table: index.name,
      model: embedder.identity,
      root: rootName,
      prune,
      indexOptions,
      batches: batches.length,
    };
    await flows.add({
      name: FINALIZE_JOB,
      queueName: name,
      data,
      opts: {
        jobId: ids.parent,
        attempts: options.attempts ?? 5,
        backoff: { type: 'exponential', delay: options.backoffMs ?? 1000 },
      },
      children: batches.map((batch, i) => ({
        name: EMBED_JOB,
        queueName: name,
        data: batch,
        opts: {
          jobId: ids.children[i] as string,
          attempts: options.attempts ?? 5,
          backoff: { type: 'exponential', delay: options.backoffMs ?? 1000 },
          // A batch that keeps failing must not hold the parent (and the indexes) forever: the
          // parent runs anyway and lists it.
          ignoreDependencyOnFailure: true,
          removeOnComplete: { age: 7 * 24 * 3600 },
        },
      })),
    });
    return { parentId: ids.parent, batches: batches.length, files, added: true };
  } finally {
    await flows.close();
    await queue.close();
    connection.disconnect();
  }
}

/** Progress of an enqueued build: batches done out of all. */
export interface QueueProgress {
  readonly done: number;
  readonly total: number;
}

/**
 * Waits for an enqueued build's parent job, reporting how many batches are done; returns the
 * parent's summary.
 * @throws IndexError when the parent job failed
 */
export async function waitForBuild(
  queueUrl: string,
  table: string,
  parentId: string,
  onProgress?: (progress: QueueProgress) => void,
  pollMs = 1000,
): Promise<FinalizeJobResult> {
  const connection = await redisConnection(queueUrl);
  const { Queue, QueueEvents } = await import('bullmq');
  const queue = new Queue(queueName(table), { connection });
  const eventsConnection = connection.duplicate();
  const events = new QueueEvents(queueName(table), { connection: eventsConnection });
  try {
    await events.waitUntilReady();
    const job = await queue.getJob(parentId);
    if (job === undefined)
      throw new IndexError(
        'INDEX_JOB_MISSING',
        `No build job ${parentId} on the queue ${queueName(table)}.`,
      );
    const timer = setInterval(() => {
      void job.getDependenciesCount().then((c) => {
        const left = c.unprocessed ?? 0;
        const total = (job.data as FinalizeJobData).batches;
        onProgress?.({ done: total - left, total });
      });
    }, pollMs);
    try {
      return (await job.waitUntilFinished(events)) as FinalizeJobResult;
    } catch (error) {
      throw new IndexError(
        'INDEX_BUILD_FAILED',
        `The build job ${parentId} failed: ${(error as Error).message}`,
        { cause: error },
      );
    } finally {
      clearInterval(timer);
    }
  } finally {
    await events.close();
    await queue.close();
    eventsConnection.disconnect();
    connection.disconnect();
  }
}
