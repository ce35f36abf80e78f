import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClapModel } from '@clapjs/model';
import { buildLibrary } from './build.js';
import { Embedder } from './embed.js';
import { annParameters } from './indexes.js';
import { queueName } from './jobs.js';
import { enqueueLibrary, redisConnection, waitForBuild } from './queue.js';
import { LibraryIndex } from './store.js';
import { bundleWorker, CPU_SETUP } from './test-utils/bundle.js';
import { saveTinyModel, tempDir, useCpu, writeSynthLibrary } from './test-utils/fixtures.js';
import { startTestRedis, type TestRedis } from '@clapjs/config/test-redis';

const CLIPS = 300;

describe('distributed build (BullMQ on a real Redis, LanceDB)', () => {
  const dir = tempDir();
  const root = join(dir, 'library');
  const db = join(dir, 'db');
  const table = `t${process.pid}${Date.now() % 100000}`;
  let redis: TestRedis;
  let embedder: Embedder;
  let scripts: { processor: string; worker: string };
  let modelDir: string;
  const workers: ChildProcess[] = [];

  function startWorker(lockDuration: number): Promise<ChildProcess> {
    const options = {
      queue: redis.url,
      db,
      table,
      roots: { library: root },
      model: modelDir,
      setup: CPU_SETUP,
      lockDuration,
      processorFile: scripts.processor,
    };
    const child = spawn(process.execPath, [scripts.worker, JSON.stringify(options)], {
      detached: true, // its own process group: kill -9 takes its sandboxed processors too
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    workers.push(child);
    return new Promise((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve(child);
      });
      child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
    });
  }

  beforeAll(async () => {
    redis = await startTestRedis();
    await useCpu();
    modelDir = await saveTinyModel(join(dir, 'model'));
    embedder = await Embedder.create(await ClapModel.load(modelDir), modelDir);
    await writeSynthLibrary(root, CLIPS);
    scripts = await bundleWorker();
  });
  afterAll(async () => {
    for (const w of workers)
      if (w.exitCode === null && w.pid !== undefined) {
        try {
          process.kill(-w.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    embedder?.model.dispose();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('indexes 300 clips with 2 workers, survives a kill -9 mid-job, and a re-run adds nothing', async () => {
    const index = await LibraryIndex.open(db, { table });
    // Index options travel with the parent job: the ANN index below its row threshold, no full text.
    const indexOptions = { ann: 'always', fullText: false } as const;
    const enqueued = await enqueueLibrary(index, embedder, {
      queue: redis.url,
      root,
      indexOptions,
      batchFiles: 15,
      backoffMs: 200,
    });
    expect(enqueued).toMatchObject({ batches: 20, files: CLIPS, added: true });

    const connection = await redisConnection(redis.url);
    const events = new QueueEvents(queueName(table), { connection });
    await events.waitUntilReady();
    let stalled = 0;
    events.on('stalled', () => stalled++);
    const firstActive = new Promise<void>((resolve) => events.once('active', () => resolve()));

    const victim = await startWorker(1500);
    await startWorker(1500);
    await firstActive;
    // The first job of a fresh processor loads the model: the kill lands inside a job.
    await new Promise((r) => setTimeout(r, 300));
    process.kill(-(victim.pid as number), 'SIGKILL');
    await startWorker(1500);

    const summary = await waitForBuild(redis.url, table, enqueued.parentId);
    await events.close();
    connection.disconnect();
    expect(stalled).toBeGreaterThanOrEqual(1);
    expect(summary.failedBatches).toEqual([]);
    expect(summary.failures).toEqual([]);
    expect(summary.files).toBe(CLIPS);
    expect(summary.indexes.ann).toEqual({ built: true, parameters: annParameters(CLIPS) });
    expect(summary.indexes.fullText).toEqual({ built: false, reason: 'not asked for' });
    // Exact: nothing lost, nothing duplicated (a killed job that had written is merge-inserted again).
    expect(await index.countRows()).toBe(CLIPS);
    const ids = (await (await index.table()).query().select(['id']).toArray()) as { id: string }[];
    expect(new Set(ids.map((r) => r.id)).size).toBe(CLIPS);

    const again = await enqueueLibrary(index, embedder, {
      queue: redis.url,
      root,
      indexOptions,
      batchFiles: 15,
    });
    expect(again).toMatchObject({ parentId: enqueued.parentId, added: false });
    // The local route sees the same ids: nothing to add either.
    const local = await buildLibrary(index, embedder, { root, indexes: false });
    expect(local.rowsAdded).toBe(0);
    expect(local.unchanged).toBe(CLIPS);
  });
});
