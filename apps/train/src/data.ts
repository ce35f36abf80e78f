import { create, Rng } from '@clapjs/core';
import type { Dataset, Split } from '@clapjs/core';
import { DataLoader, hasZeroShotTask, isInfoIndexed, isSplitIndexed } from '@clapjs/data';
import type { ZeroShotTask } from '@clapjs/data';
import type { Batch, BatchSource } from '@clapjs/trainer';
import type { ClapModel } from '@clapjs/model';
import type { LoadedConfig } from './config.js';
import { resolveFromConfig } from './config.js';

/** Builds the dataset a config names; relative paths resolve against `data.root` or the config's directory. */
export function buildDataset(loaded: LoadedConfig): Dataset {
  return create(
    'dataset',
    loaded.config.data.dataset,
    { root: datasetRoot(loaded) },
    'data.dataset',
  );
}

/** The directory the dataset's relative paths resolve against. */
export function datasetRoot(loaded: LoadedConfig): string {
  const { data } = loaded.config;
  return data.root === undefined ? loaded.dir : resolveFromConfig(loaded, data.root);
}

/** The captions of a split (for fitting the word tokenizer), cheaply when the dataset can describe items. */
export async function splitCaptions(dataset: Dataset, split: Split): Promise<string[]> {
  const indices = isSplitIndexed(dataset)
    ? dataset.indicesFor(split)
    : Array.from({ length: dataset.size }, (_, i) => i);
  const out: string[] = [];
  for (const i of indices) {
    if (isInfoIndexed(dataset)) {
      const info = dataset.itemInfo(i);
      if ((info.split ?? 'train') === split) out.push(...info.captions);
    } else {
      const item = await dataset.get(i);
      if ((item.split ?? 'train') === split) out.push(...item.captions);
    }
  }
  return out;
}

/** The held-out zero-shot task, when the dataset defines one (synth). */
export function zeroShotTaskOf(dataset: Dataset): ZeroShotTask | undefined {
  const task = hasZeroShotTask(dataset) ? dataset.zeroShotTask() : undefined;
  // A synth dataset with nothing held out (heldOut: 0) has no zero-shot task to report.
  return task !== undefined && task.labels.length > 0 && task.indices.length > 0 ? task : undefined;
}

/** A loader over one split of the dataset, with the model's front end. */
export function makeLoader(
  loaded: LoadedConfig,
  dataset: Dataset,
  model: ClapModel,
  split: Split,
  training: boolean,
): DataLoader {
  const { data, seed } = loaded.config;
  return new DataLoader(dataset, {
    batchSize: data.batchSize,
    seed: training ? seed : seed + 1,
    split,
    frontEnd: model.frontEnd,
    ...(data.cacheDir === undefined ? {} : { cacheDir: resolveFromConfig(loaded, data.cacheDir) }),
    prefetch: data.prefetch,
    onCorrupt: data.onCorrupt,
    ...(training && data.workers > 0
      ? {
          workers: data.workers,
          workerRoot: datasetRoot(loaded),
          workerImports: loaded.config.plugins.map((p) =>
            p.startsWith('.') ? resolveFromConfig(loaded, p) : p,
          ),
        }
      : {}),
    ...(training && data.augment !== undefined ? { augment: data.augment as never } : {}),
  });
}

/**
 * The shuffled-caption control: each batch's captions are permuted across its clips (seeded), so
 * the pairing carries no information and a model must stay at chance.
 */
export function withShuffledCaptions(source: BatchSource, seed: number): BatchSource {
  const rng = new Rng(seed ^ 0x5eed);
  return {
    getState: () => ({ inner: source.getState(), rng: rng.getState() }),
    setState(state) {
      const s = state as { inner: unknown; rng: [number, number, number, number] };
      source.setState(s.inner);
      rng.setState(s.rng);
    },
    async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
      for await (const batch of source) {
        const order = rng.shuffle(batch.captions.map((_, i) => i));
        yield { ...batch, captions: order.map((i) => batch.captions[i] as string) };
      }
    },
  };
}
