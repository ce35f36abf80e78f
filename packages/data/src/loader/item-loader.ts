import type { SpecAugmentOptions } from '@clapjs/audio';
import { Rng } from '@clapjs/core';
import type { Dataset, DatasetItem } from '@clapjs/core';
import { CorruptAudioError, DatasetError } from '../errors.js';
import { mixSeed } from '../hash.js';
import { isInfoIndexed } from '../list-dataset.js';
import type { FeatureMaker } from './features.js';

/** One item ready for a batch, or the id of an item whose audio is corrupt. */
export type Loaded =
  | {
      item: Omit<DatasetItem, 'audio'>;
      logMel: Float32Array;
      frames: number;
      melBins: number;
      caption: string;
    }
  | { corrupt: string };

/**
 * Loads one item for a batch: its audio as a cropped (and, in training, augmented) log-mel and
 * one caption. Randomness comes from (seed, epoch, index) only, so the main thread and worker
 * threads give identical results. `epoch` undefined = evaluation (first caption, centre crop).
 */
export async function loadItem(
  dataset: Dataset,
  features: FeatureMaker,
  options: { seed: number; augment: SpecAugmentOptions | undefined; onCorrupt: 'skip' | 'fail' },
  index: number,
  epoch: number | undefined,
): Promise<Loaded> {
  const rng = epoch === undefined ? undefined : new Rng(mixSeed(options.seed, epoch, index));
  const augment = rng === undefined ? undefined : options.augment;
  try {
    // A dataset that can name its audio without producing it (synth) skips producing it on a cache hit.
    const info = isInfoIndexed(dataset) ? dataset.itemInfo(index) : undefined;
    const cached =
      info === undefined
        ? undefined
        : await features.lookup(features.keyOf('content', info.contentKey));
    let about: Omit<DatasetItem, 'audio'>;
    let logMel;
    if (cached !== undefined && info !== undefined) {
      about = info;
      logMel = features.finish(cached, rng, augment);
    } else {
      const item = await dataset.get(index);
      about = item;
      logMel = await features.make(item, rng, augment, info?.contentKey);
    }
    if (about.captions.length === 0) {
      throw new DatasetError(
        'DATASET_ROW_INVALID',
        `Item "${about.id}" (index ${index}) of the ${dataset.name} dataset has no caption; give every clip at least one.`,
      );
    }
    // Drawn after the audio so that the crop and augmentation streams do not depend on the caption count.
    const caption =
      rng === undefined
        ? (about.captions[0] as string)
        : (about.captions[rng.int(about.captions.length)] as string);
    return {
      item: about,
      logMel: logMel.data,
      frames: logMel.frames,
      melBins: logMel.melBins,
      caption,
    };
  } catch (error) {
    if (!(error instanceof CorruptAudioError) || options.onCorrupt === 'fail') throw error;
    return { corrupt: error.itemId };
  }
}
