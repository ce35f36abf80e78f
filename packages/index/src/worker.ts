import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'bullmq';
import { IndexError } from './errors.js';
import { queueName } from './jobs.js';
import { redisConnection } from './queue.js';

/** The environment variable that carries {@link ProcessorConfig} to each sandboxed processor. */
export const PROCESSOR_CONFIG_ENV = 'CLAPJS_INDEX_WORKER';

/** What each sandboxed processor (a child process) needs; set by {@link startIndexWorker}. */
export interface ProcessorConfig {
  readonly db: string;
  readonly storageOptions?: Record<string, string>;
  /** Root name → this machine's directory. */
  readonly roots: Record<string, string>;
  /** The model directory (default: the one the table records). */
  readonly model?: string;
  /**
   * A module imported once in each processor before the model loads (e.g. to choose a tfjs
   * backend); if it exports `setup()`, that is awaited.
   */
  readonly setup?: string;
}

/** Options of {@link startIndexWorker}. */
export interface IndexWorkerOptions extends ProcessorConfig {
  /** `redis://HOST:PORT`. */
  readonly queue: string;
  /** The library table whose jobs to run (default `library`). */
  readonly table?: string;
  /** Jobs at once, each in its own child process with its own copy of the model (default 1). */
  readonly concurrency?: number;
  /** How long a job's lock lasts without renewal: a killed worker's job is retried after it (default 30 s). */
  readonly lockDuration?: number;
  /** The processor file (default: dist/job-processor.js of this package). */
  readonly processorFile?: string;
}

/** The built sandboxed processor beside this module. */
export function defaultProcessorFile(): string {
  const file = fileURLToPath(new URL('./job-processor.js', import.meta.url));
  if (!existsSync(file))
    throw new IndexError(
      'INDEX_PROCESSOR_MISSING',
      `The job processor ${file} is missing. Build @clapjs/index (pnpm --filter @clapjs/index build).`,
    );
  return file;
}

/**
 * Starts a BullMQ worker for a table's index jobs. Each job runs in a sandboxed child process
 * (CPU-bound embedding would otherwise block lock renewal); the model is loaded once per
 * process. Failed jobs are retried with the backoff they were enqueued with; a job whose worker
 * dies is retried once its lock expires. Close it with `worker.close()`.
 */
export async function startIndexWorker(options: IndexWorkerOptions): Promise<Worker> {
  const config: ProcessorConfig = {
    db: options.db,
    roots: options.roots,
    ...(options.storageOptions === undefined ? {} : { storageOptions: options.storageOptions }),
    ...(options.model === undefined ? {} : { model: options.model }),
    ...(options.setup === undefined ? {} : { setup: options.setup }),
  };
  const lockDuration = options.lockDuration ?? 30_000;
  const connection = await redisConnection(options.queue);
  const { Worker } = await import('bullmq');
  const worker = new Worker(
    queueName(options.table ?? 'library'),
    options.processorFile ?? defaultProcessorFile(),
    {
      connection,
      concurrency: options.concurrency ?? 1,
      useWorkerThreads: false,
      lockDuration,
      stalledInterval: Math.max(1000, Math.round(lockDuration / 2)),
      maxStalledCount: 3,
      workerForkOptions: {
        env: { ...process.env, [PROCESSOR_CONFIG_ENV]: JSON.stringify(config) },
      },
    },
  );
  // BullMQ leaves a connection it was given open: close it with the worker, so the process can exit.
  worker.on('closed', () => connection.disconnect());
  return worker;
}
