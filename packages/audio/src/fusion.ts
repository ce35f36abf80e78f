import { cropOrPad } from './crop.js';
import { AudioArgumentError } from './errors.js';
import type { LogMel, LogMelExtractor } from './log-mel.js';

/** The fusion channels, in upstream's order: whole clip shrunk, then the front, middle and back crops. */
export const FUSION_CHANNELS = 4;

/**
 * The 4-channel input of LAION-CLAP's fusion models (Hugging Face `truncation: "fusion"`):
 * `frames × melBins × 4` values, channels last, so a batch is the tensor
 * `[batch, frames, melBins, 4]` the fused `htsat` encoder takes.
 */
export interface FusionLogMel {
  /** frames × melBins × 4 dB values: `data[(t · melBins + m) · 4 + c]`. */
  readonly data: Float32Array;
  /** Frames per channel: one window's (1,001 for 10 s at 48 kHz, hop 480). */
  readonly frames: number;
  readonly melBins: number;
  /**
   * Upstream's `longer` / `is_longer`: true when the clip is longer than the window (channel 0
   * is then the whole clip shrunk, channels 1–3 three crops); false for a clip no longer than the
   * window (four copies of its padded log-mel).
   */
  readonly longer: boolean;
  /** The three crops' first frames (front, middle, back), or null when the clip is not longer. */
  readonly crops: readonly [number, number, number] | null;
}

/** Options for {@link fusionLogMel} and {@link fusionInput}. */
export interface FusionOptions {
  /**
   * The crops' first frames (front, middle, back), each in `[0, totalFrames − frames]`: what
   * upstream draws at random from the three thirds of that range (`np.random.choice`), given here
   * to reproduce a run. Default: {@link defaultFusionCrops}. Ignored for a clip that is not longer.
   */
  readonly crops?: readonly number[];
}

/**
 * The three ranges upstream draws the crops from: `np.array_split(range(0, total − frames + 1), 3)`,
 * as `[first, last]` frame pairs; an empty middle or back third becomes `[0, 0]` as upstream does.
 */
export function fusionCropRanges(
  totalFrames: number,
  frames: number,
): [readonly [number, number], readonly [number, number], readonly [number, number]] {
  const count = totalFrames - frames + 1;
  const base = Math.floor(count / 3);
  const extra = count % 3;
  let start = 0;
  const ranges = [0, 1, 2].map((i): readonly [number, number] => {
    const size = base + (i < extra ? 1 : 0);
    const range: readonly [number, number] = size > 0 ? [start, start + size - 1] : [0, 0];
    start += size;
    return range;
  });
  return ranges as [
    readonly [number, number],
    readonly [number, number],
    readonly [number, number],
  ];
}

/**
 * clapjs's deterministic crops (upstream's are random): the first possible frame, the middle one
 * and the last one, `[0, ⌊(total − frames) / 2⌋, total − frames]`, so the front crop starts the
 * clip, the back crop ends it and the middle crop is centred. Each lies in upstream's third.
 */
export function defaultFusionCrops(totalFrames: number, frames: number): [number, number, number] {
  const last = totalFrames - frames;
  return [0, Math.floor(last / 2), last];
}

/**
 * Shrinks a log-mel along time to `frames` rows with bilinear interpolation, align_corners false,
 * no antialiasing: PyTorch's `F.interpolate(mel[None, None], size=[frames, melBins],
 * mode="bilinear", align_corners=False)` (Hugging Face) = torchvision's `Resize` on a tensor
 * without antialias (LAION-CLAP's `training/data.py`, torchvision before 0.17). The source
 * positions and weights are rounded as ATen's CPU kernel rounds them (PyTorch 1.13).
 */
export function shrinkFrames(mel: LogMel, frames: number): Float32Array {
  const { data, frames: total, melBins } = mel;
  if (!Number.isInteger(frames) || frames < 1)
    throw new AudioArgumentError(`shrinkFrames: frames must be a positive integer, got ${frames}`);
  const out = new Float32Array(frames * melBins);
  // ATen: the scale is a float32, the source position scale·(t + 0.5) − 0.5 is formed in double
  // (int + 0.5 promotes), and the weights are float32.
  const scale = Math.fround(total / frames);
  for (let t = 0; t < frames; t++) {
    const real = Math.max(scale * (t + 0.5) - 0.5, 0);
    const i0 = Math.floor(real);
    const i1 = i0 < total - 1 ? i0 + 1 : i0;
    const l1 = Math.fround(Math.min(Math.max(real - i0, 0), 1));
    const l0 = Math.fround(1 - l1);
    for (let m = 0; m < melBins; m++)
      out[t * melBins + m] =
        l0 * (data[i0 * melBins + m] as number) + l1 * (data[i1 * melBins + m] as number);
  }
  return out;
}

function interleave(
  channels: readonly Float32Array[],
  frames: number,
  melBins: number,
): Float32Array {
  const out = new Float32Array(frames * melBins * FUSION_CHANNELS);
  channels.forEach((channel, c) => {
    for (let i = 0; i < frames * melBins; i++) out[i * FUSION_CHANNELS + c] = channel[i] as number;
  });
  return out;
}

function checkCrops(
  crops: readonly number[],
  totalFrames: number,
  frames: number,
): [number, number, number] {
  const last = totalFrames - frames;
  if (
    !Array.isArray(crops) ||
    crops.length !== 3 ||
    !crops.every((c) => Number.isInteger(c) && c >= 0 && c <= last)
  )
    throw new AudioArgumentError(
      `fusion: crops must be 3 integer frame offsets (front, middle, back) from 0 to ${last} for a ${totalFrames}-frame log-mel with ${frames}-frame windows, got [${String(crops)}]`,
    );
  return [crops[0], crops[1], crops[2]] as [number, number, number];
}

/**
 * The fusion input from a log-mel of the whole clip and the window's frame count, as upstream's
 * `get_audio_features` (`data_truncating="fusion"`) builds it: when the log-mel has more frames
 * than one window, channel 0 is the whole log-mel shrunk to `frames` ({@link shrinkFrames}) and
 * channels 1–3 the `frames`-long crops starting at `options.crops` (default
 * {@link defaultFusionCrops}); otherwise (exactly one window) four copies, `longer` false.
 * @throws AudioArgumentError for a log-mel shorter than one window or bad crops
 */
export function fusionInput(
  mel: LogMel,
  frames: number,
  options: FusionOptions = {},
): FusionLogMel {
  const { frames: total, melBins, data } = mel;
  if (!Number.isInteger(frames) || frames < 1 || total < frames)
    throw new AudioArgumentError(
      `fusion: a ${total}-frame log-mel is shorter than the ${frames}-frame window; pad the clip to the window first (fusionLogMel does)`,
    );
  if (total === frames) {
    return {
      data: interleave([data, data, data, data], frames, melBins),
      frames,
      melBins,
      longer: false,
      crops: null,
    };
  }
  const crops = checkCrops(options.crops ?? defaultFusionCrops(total, frames), total, frames);
  const chunk = (start: number) => data.subarray(start * melBins, (start + frames) * melBins);
  const channels = [shrinkFrames(mel, frames), ...crops.map(chunk)];
  return { data: interleave(channels, frames, melBins), frames, melBins, longer: true, crops };
}

/**
 * LAION-CLAP's fusion front end for one mono clip at `extractor.config.sampleRate`: a clip longer
 * than `clipSeconds` gives the log-mel of the whole clip shrunk to one window's frames plus three
 * crops ({@link fusionInput}; deterministic unless `options.crops` says otherwise); a clip no
 * longer is padded by the preset's `padMode` (laion_clap's repeat-pad) and its log-mel repeated
 * four times, `longer` false. A clip whose log-mel has exactly one window's frames (longer than
 * the window by less than a hop) is treated as not longer, as upstream does.
 * @throws AudioArgumentError for an empty clip or bad crops
 */
export function fusionLogMel(
  samples: Float32Array,
  extractor: LogMelExtractor,
  options: FusionOptions = {},
): FusionLogMel {
  if (!(samples instanceof Float32Array) || samples.length === 0)
    throw new AudioArgumentError('fusionLogMel: the clip is empty (0 samples); decode audio first');
  const window = extractor.clipSamples;
  const frames = extractor.frames(window);
  const clip =
    samples.length > window
      ? samples
      : cropOrPad(samples, window, extractor.config.padMode ?? 'repeat-pad');
  return fusionInput(extractor.compute(clip), frames, options);
}
