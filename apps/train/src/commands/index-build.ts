// `clapjs index build ROOT --db URI`: embeds a library into a LanceDB table, here or (with
// --queue) through BullMQ jobs that `clapjs worker` processes run.
import { basename, resolve } from 'node:path';
import {
  buildLibrary,
  enqueueLibrary,
  waitForBuild,
  type BuildProgress,
  type BuildSummary,
  type FinalizeJobResult,
} from '@clapjs/index';
import { formatSeconds, openLibrary, type IndexTarget } from './index-common.js';

type Log = (line: string) => void;

/** Options of {@link indexBuildCommand}. */
export interface IndexBuildOptions extends IndexTarget {
  name?: string;
  manifest?: string;
  batch: string;
  prune?: boolean;
  ann: 'auto' | 'always' | 'never';
  fts: boolean;
  queue?: string;
  wait: boolean;
  progress: boolean;
}

function progressPrinter(stream: NodeJS.WriteStream = process.stderr) {
  let lastLine = 0;
  return (p: BuildProgress) => {
    const line = `index ${p.done}/${p.total} files | ${p.filesPerSecond.toFixed(1)} files/s | ETA ${formatSeconds(p.etaSeconds)}`;
    if (stream.isTTY === true) stream.write(`\r${line}${p.done === p.total ? '\n' : ''}`);
    else if (performance.now() - lastLine > 5000 || p.done === p.total) {
      stream.write(`${line}\n`);
      lastLine = performance.now();
    }
  };
}

function printSummary(s: BuildSummary | FinalizeJobResult, log: Log): void {
  log(
    `${s.files} files: ${s.embedded} embedded (${s.rowsAdded} added), ${s.unchanged} unchanged, ${s.pruned} pruned, ${s.failures.length} skipped`,
  );
  for (const f of s.failures) log(`  skipped ${f.path}: ${f.code}: ${f.message}`);
  if ('failedBatches' in s && s.failedBatches.length > 0)
    log(
      `  ${s.failedBatches.length} batches failed after every retry: ${s.failedBatches.join(', ')}`,
    );
  const report = s.indexes;
  if (report === undefined) return;
  log(
    report.ann.built
      ? `ANN index: ${report.ann.parameters.type}, ${report.ann.parameters.numPartitions} partitions (${report.rows} rows)`
      : `ANN index: not built (${report.ann.reason})`,
  );
  log(
    `full-text index on paths and captions: ${report.fullText.built ? 'built' : `not built (${report.fullText.reason === 'not asked for' ? '--no-fts' : report.fullText.reason})`}`,
  );
}

/** Runs `clapjs index build`. */
export async function indexBuildCommand(
  root: string,
  o: IndexBuildOptions,
  log: Log,
): Promise<void> {
  const { index, embedder } = await openLibrary(o, () => {});
  const rootName = o.name ?? (basename(resolve(root)) || 'library');
  const batchFiles = Number.parseInt(o.batch, 10);
  const indexOptions = { ann: o.ann, fullText: o.fts };
  try {
    if (o.queue === undefined) {
      const summary = await buildLibrary(index, embedder, {
        root,
        rootName,
        batchFiles,
        prune: o.prune === true,
        indexOptions,
        ...(o.manifest === undefined ? {} : { manifest: o.manifest }),
        ...(o.progress ? { onProgress: progressPrinter() } : {}),
      });
      printSummary(summary, log);
      return;
    }
    const queued = await enqueueLibrary(index, embedder, {
      queue: o.queue,
      root,
      rootName,
      batchFiles,
      prune: o.prune === true,
      indexOptions,
      ...(o.manifest === undefined ? {} : { manifest: o.manifest }),
    });
    log(
      queued.added
        ? `enqueued ${queued.batches} batches (${queued.files} files, root "${rootName}") as job ${queued.parentId}`
        : `this library (${queued.files} files) is already enqueued as job ${queued.parentId}: nothing added`,
    );
    if (!o.wait) return;
    const started = performance.now();
    const result = await waitForBuild(o.queue, index.name, queued.parentId, (p) => {
      if (o.progress)
        process.stderr.write(
          `batches ${p.done}/${p.total} (${formatSeconds((performance.now() - started) / 1000)})\n`,
        );
    });
    printSummary(result, log);
  } finally {
    embedder.model.dispose();
  }
}
