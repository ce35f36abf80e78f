import { fusionCropRanges } from '@clapjs/audio';
import type { ClapModel, FusionInputOptions } from '@clapjs/model';
import { CliError } from '../errors.js';

/**
 * `--fusion-crops` and `--is-longer` as given: one value per audio file, in order; `-` keeps a
 * file's default. Crops are log-mel frames (the unit of `FusionInputOptions.crops`).
 */
export interface FusionFlags {
  readonly fusionCrops?: readonly string[];
  readonly isLonger?: readonly string[];
}

/** What each file gets: its crops (undefined: the default) and its flag (undefined: its length's). */
export interface FileFusion {
  readonly crops?: readonly number[];
  readonly longer?: boolean;
}

const CROPS_HELP =
  "the front, middle and back crops' first log-mel frames, e.g. --fusion-crops 0,40,81 (one per audio file; - keeps a file's default)";

function parseCrops(value: string): readonly number[] | undefined {
  if (value === '-') return undefined;
  const parts = value.split(',');
  const frames = parts.map((p) => (/^\s*\d+\s*$/.test(p) ? Number(p) : NaN));
  if (parts.length !== 3 || !frames.every(Number.isSafeInteger))
    throw new CliError(
      'FUSION_CROPS',
      `--fusion-crops ${value} is not three whole frame numbers; give ${CROPS_HELP}.`,
    );
  return frames;
}

function parseLonger(value: string): boolean | undefined {
  if (value === '-') return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new CliError(
    'IS_LONGER',
    `--is-longer ${value} is not true, false or -; give one per audio file, e.g. --is-longer true.`,
  );
}

/**
 * Parses the flags for `count` audio files (before the model is loaded: bad input fails fast),
 * or returns undefined when neither was given.
 * @throws CliError `FUSION_CROPS` / `IS_LONGER` for a malformed value or a count unlike the files',
 *   `FUSION_WITH_CROP_OFFSET` when combined with `--crop-offset` (one window, not the whole clip)
 */
export function parseFusionFlags(
  flags: FusionFlags,
  count: number,
  cropOffset: number | undefined,
): FileFusion[] | undefined {
  const { fusionCrops, isLonger } = flags;
  if (fusionCrops === undefined && isLonger === undefined) return undefined;
  if (cropOffset !== undefined)
    throw new CliError(
      'FUSION_WITH_CROP_OFFSET',
      '--crop-offset embeds one window; --fusion-crops / --is-longer describe the fusion input of the whole clip: give one or the other.',
    );
  for (const [option, values, code] of [
    ['--fusion-crops', fusionCrops, 'FUSION_CROPS'],
    ['--is-longer', isLonger, 'IS_LONGER'],
  ] as const) {
    if (values !== undefined && values.length !== count)
      throw new CliError(
        code,
        `${option} got ${values.length} value${values.length === 1 ? '' : 's'} for ${count} audio file${count === 1 ? '' : 's'}; give one per file, in order (- keeps a file's default).`,
      );
  }
  const crops = fusionCrops?.map(parseCrops);
  const longer = isLonger?.map(parseLonger);
  return Array.from({ length: count }, (_, i) => {
    const c = crops?.[i];
    const l = longer?.[i];
    return { ...(c === undefined ? {} : { crops: c }), ...(l === undefined ? {} : { longer: l }) };
  });
}

/**
 * The model's `FusionInputOptions` for one file's whole clip (resampled to the model's rate),
 * after checking the model takes fusion input and the crops fit the clip.
 * @throws CliError `FUSION_OPTIONS_UNFUSED` for a model without fusion input, `FUSION_CROPS` for
 *   crops of a clip no longer than the window or out of range
 */
export function fileFusionOptions(
  model: ClapModel,
  file: string,
  clip: Float32Array,
  given: FileFusion,
): FusionInputOptions {
  const { crops, longer } = given;
  if (crops !== undefined) {
    const extractor = model.frontEnd;
    const window = extractor.frames(extractor.clipSamples);
    const total = clip.length > extractor.clipSamples ? extractor.frames(clip.length) : window;
    const seconds = (clip.length / extractor.config.sampleRate).toFixed(3);
    if (total === window)
      throw new CliError(
        'FUSION_CROPS',
        `--fusion-crops ${crops.join(',')} for ${file}: a ${seconds} s clip is no longer than the model's ${extractor.config.clipSeconds} s window, so it has no crops; give - for it.`,
      );
    const last = total - window;
    if (!crops.every((c) => c <= last)) {
      const thirds = fusionCropRanges(total, window)
        .map(([a, b]) => `${a}–${b}`)
        .join(', ');
      throw new CliError(
        'FUSION_CROPS',
        `--fusion-crops ${crops.join(',')} is out of range for ${file}: its ${total}-frame log-mel with ${window}-frame windows takes crops from 0 to ${last} (the originals draw them from ${thirds}).`,
      );
    }
  }
  return {
    ...(crops === undefined ? {} : { crops: [crops] }),
    ...(longer === undefined ? {} : { longer: [longer] }),
  };
}

/** Refuses the fusion flags for a model whose audio encoder takes no fusion input. */
export function requireFusionModel(model: ClapModel, dir: string | undefined): void {
  if (model.audioEncoder.input !== 'fusion')
    throw new CliError(
      'FUSION_OPTIONS_UNFUSED',
      `--fusion-crops / --is-longer are for models with fusion input (LAION-CLAP's fused checkpoints); the model at ${dir ?? 'runs/default/model'} (audio encoder ${model.config.audioEncoder.name}) takes log-mel windows: drop them.`,
    );
}
