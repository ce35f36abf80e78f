import { readFile, stat } from 'node:fs/promises';
import { cropOrPad, decodeAudio, resampleFor, specAugment } from '@clapjs/audio';
import type { LogMel, LogMelExtractor, SpecAugmentOptions } from '@clapjs/audio';
import type { DatasetItem, Rng } from '@clapjs/core';
import { CorruptAudioError } from '../errors.js';
import { LogMelCache } from './cache.js';

/** How a clip shorter than the training length is padded. */
export type PadMode = 'repeat-pad' | 'zero-pad';

/** Counters the loader exposes. */
export interface FeatureStats {
  /** Log-mel spectrograms computed (cache misses, or no cache). */
  computed: number;
  /** Spectrograms read from the cache. */
  cacheHits: number;
}

/** Turns dataset items into fixed-size log-mel spectrograms, through the cache when given. */
export class FeatureMaker {
  readonly stats: FeatureStats = { computed: 0, cacheHits: 0 };
  /** Frames of one training clip. */
  readonly frames: number;
  private readonly configKey: string;

  constructor(
    private readonly frontEnd: LogMelExtractor,
    private readonly padMode: PadMode,
    private readonly cache: LogMelCache | undefined,
  ) {
    this.frames = frontEnd.frames(frontEnd.clipSamples);
    this.configKey = JSON.stringify({
      frontEnd: frontEnd.config,
      padMode,
      clipSamples: frontEnd.clipSamples,
    });
  }

  /**
   * The log-mel of a whole clip, padded to at least the clip length: from the cache, or decoded,
   * resampled, padded and transformed (then cached). Longer clips keep all their frames; the
   * crop happens in {@link FeatureMaker.crop}, so one cache entry serves every random crop.
   * @throws CorruptAudioError when the audio cannot be read or decoded
   */
  async full(item: DatasetItem, contentKey?: string): Promise<LogMel> {
    let bytes: Uint8Array | undefined;
    let identity: Uint8Array | string | undefined = contentKey;
    if (item.audio.kind === 'file') {
      try {
        // A FIFO or a device would block or never end: only regular files are read.
        if (!(await stat(item.audio.path)).isFile())
          throw new Error('not a regular file (a directory, FIFO, socket or device)');
        bytes = await readFile(item.audio.path);
      } catch (error) {
        throw new CorruptAudioError(item.id, item.audio.path, error);
      }
      identity ??= bytes;
    } else if (identity === undefined) {
      const { samples } = item.audio;
      identity = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
    }
    const key = this.keyOf(
      contentKey !== undefined
        ? 'content'
        : item.audio.kind === 'samples'
          ? `rate:${item.audio.sampleRate}`
          : 'file',
      identity,
    );
    const hit = await this.lookup(key);
    if (hit !== undefined) return hit;
    let samples: Float32Array;
    let rate: number;
    if (item.audio.kind === 'file') {
      try {
        const decoded = await decodeAudio(bytes as Uint8Array, { name: item.audio.path });
        [samples, rate] = [decoded.samples, decoded.sampleRate];
      } catch (error) {
        throw new CorruptAudioError(item.id, item.audio.path, error);
      }
      if (samples.length === 0)
        throw new CorruptAudioError(
          item.id,
          item.audio.path,
          new Error('the file holds no samples'),
        );
    } else {
      [samples, rate] = [item.audio.samples, item.audio.sampleRate];
    }
    samples = resampleFor(this.frontEnd.config, samples, rate);
    if (samples.length < this.frontEnd.clipSamples)
      samples = cropOrPad(samples, this.frontEnd.clipSamples, this.padMode);
    const logMel = this.frontEnd.compute(samples);
    this.stats.computed++;
    if (key !== undefined) await this.cache?.set(key, logMel);
    return logMel;
  }

  /** The cache key of some audio content under this front end; undefined without a cache. */
  keyOf(kind: string, identity: Uint8Array | string): string | undefined {
    return this.cache === undefined ? undefined : LogMelCache.key([this.configKey, kind, identity]);
  }

  /** A cached spectrogram (counted as a hit), or undefined. */
  async lookup(key: string | undefined): Promise<LogMel | undefined> {
    const hit = key === undefined ? undefined : await this.cache?.get(key);
    if (hit !== undefined) this.stats.cacheHits++;
    return hit;
  }

  /** Crops and (with `augment`) augments a whole-clip spectrogram for one item. */
  finish(logMel: LogMel, rng: Rng | undefined, augment: SpecAugmentOptions | undefined): LogMel {
    const cropped = this.crop(logMel, rng);
    return augment !== undefined && rng !== undefined
      ? specAugment(cropped, augment, rng)
      : cropped;
  }

  /**
   * Cuts the clip's frames to the training length: a random window when `rng` is given (training),
   * the centre window otherwise (evaluation).
   */
  crop(logMel: LogMel, rng: Rng | undefined): LogMel {
    if (logMel.frames <= this.frames) return logMel;
    const spare = logMel.frames - this.frames;
    const start = rng === undefined ? Math.floor(spare / 2) : rng.int(spare + 1);
    return {
      data: logMel.data.slice(start * logMel.melBins, (start + this.frames) * logMel.melBins),
      frames: this.frames,
      melBins: logMel.melBins,
    };
  }

  /** The training-ready spectrogram of one item. */
  async make(
    item: DatasetItem,
    rng: Rng | undefined,
    augment: SpecAugmentOptions | undefined,
    contentKey?: string,
  ): Promise<LogMel> {
    return this.finish(await this.full(item, contentKey), rng, augment);
  }
}
