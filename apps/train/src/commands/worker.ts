// `clapjs worker --queue redis://… --db URI --root NAME=PATH`: runs index jobs until stopped.
import { resolve } from 'node:path';
import type { BackendName } from '@clapjs/core';
import { startIndexWorker } from '@clapjs/index';
import { CliError } from '../errors.js';
import { WORKER_BACKEND_ENV } from '../index-worker-setup.js';
import { parseRoots, parseStorageOptions } from './index-common.js';

/** Options of {@link workerCommand}. */
export interface WorkerOptions {
  queue: string;
  db: string;
  table?: string;
  root?: string[];
  model?: string;
  storageOption?: string[];
  concurrency: string;
  lockDuration: string;
  backend: 'auto' | BackendName;
}

/** Runs `clapjs worker` until SIGINT/SIGTERM, then finishes the running jobs and exits. */
export async function workerCommand(o: WorkerOptions, log: (line: string) => void): Promise<void> {
  const roots = parseRoots(o.root);
  if (Object.keys(roots).length === 0)
    throw new CliError(
      'ROOT_MISSING',
      'Give at least one --root NAME=PATH (the directory this machine sees the library at).',
    );
  const storageOptions = parseStorageOptions(o.storageOption);
  process.env[WORKER_BACKEND_ENV] = o.backend;
  const worker = await startIndexWorker({
    queue: o.queue,
    db: o.db,
    roots,
    concurrency: Number.parseInt(o.concurrency, 10),
    lockDuration: Number.parseInt(o.lockDuration, 10) * 1000,
    setup: new URL('./index-worker-setup.js', import.meta.url).href,
    ...(o.table === undefined ? {} : { table: o.table }),
    ...(o.model === undefined ? {} : { model: resolve(o.model) }),
    ...(storageOptions === undefined ? {} : { storageOptions }),
  });
  worker.on('completed', (job) => log(`done ${job.name} ${job.id}`));
  worker.on('failed', (job, error) =>
    log(
      `failed ${job?.name ?? ''} ${job?.id ?? ''} (attempt ${job?.attemptsMade ?? '?'}): ${error.message}`,
    ),
  );
  worker.on('error', (error) => log(`worker error: ${error.message}`));
  await worker.waitUntilReady();
  log(
    `worker ready on ${o.queue} (${Object.entries(roots)
      .map(([n, p]) => `${n}=${p}`)
      .join(', ')}); Ctrl-C to stop`,
  );
  await new Promise<void>((done) => {
    const stop = () => {
      log('stopping: finishing running jobs');
      void worker.close().then(done);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
