/**
 * The DataLoader's worker thread: rebuilds the dataset and front end from `workerData`, then
 * loads the items it is asked for. It imports @clapjs/data by name (kept external) so that it
 * uses the same classes as the datasets it builds.
 * @packageDocumentation
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LogMelExtractor } from '@clapjs/audio';
import { create } from '@clapjs/core';
import { FeatureMaker, LogMelCache, loadItem } from '@clapjs/data';
import type { Loaded, WorkerInit, WorkerRequest, WorkerResponse } from '@clapjs/data';
import '@clapjs/data/register';

const init = workerData as WorkerInit;
const features = new FeatureMaker(
  new LogMelExtractor(init.frontEnd),
  init.padMode,
  init.cacheDir === undefined ? undefined : new LogMelCache(init.cacheDir),
);
// No top-level await (the CJS build has none): requests wait for the plugin imports.
const ready = (async () => {
  for (const specifier of init.imports) await import(specifier);
  return create('dataset', init.dataset, { root: init.root });
})();

parentPort?.on('message', (request: WorkerRequest) => {
  const options = { seed: request.seed, augment: init.augment, onCorrupt: init.onCorrupt };
  ready
    .then((dataset) =>
      loadItem(dataset, features, options, request.index, request.epoch ?? undefined),
    )
    .then(
      (result: Loaded) => {
        // Transfer the spectrogram's buffer (copied first when it is a view into a larger one).
        const loaded =
          'logMel' in result && result.logMel.byteLength !== result.logMel.buffer.byteLength
            ? { ...result, logMel: result.logMel.slice() }
            : result;
        const transfer = 'logMel' in loaded ? [loaded.logMel.buffer as ArrayBuffer] : [];
        parentPort?.postMessage(
          { id: request.id, loaded, stats: { ...features.stats } } satisfies WorkerResponse,
          transfer,
        );
      },
      (error: unknown) => {
        const e = error as { name?: string; code?: string; message?: string; itemId?: string };
        const payload = {
          name: e.name ?? 'Error',
          message: e.message ?? String(error),
          ...(e.code === undefined ? {} : { code: e.code }),
          ...(e.itemId === undefined ? {} : { itemId: e.itemId }),
        };
        parentPort?.postMessage({
          id: request.id,
          error: payload,
          stats: { ...features.stats },
        } satisfies WorkerResponse);
      },
    );
});
