import * as tf from '@tensorflow/tfjs-core';
import { ClapError } from '@clapjs/core';
import { fusionLogMel, type LogMelExtractor } from '@clapjs/audio';

/**
 * What LAION-CLAP's fused models draw at random per clip (and Hugging Face's extractor sets),
 * given to reproduce a run of the originals. Each list has one entry per clip of the batch;
 * `undefined` keeps clapjs's deterministic default for that clip. For models whose audio encoder
 * takes `fusion` input only.
 */
export interface FusionInputOptions {
  /**
   * Per clip: the first log-mel frames (hop `frontEnd.config.hopLength`) of the front, middle and
   * back crops, each from 0 to the clip's frames minus the window's, as upstream draws them from
   * the three thirds of that range. Only for raw clips longer than the window. Default:
   * `defaultFusionCrops` of @clapjs/audio (the first, middle and last crop).
   */
  readonly crops?: readonly (readonly number[] | undefined)[];
  /**
   * Per clip: upstream's `longer` / `is_longer`, whether its crops are fused in. Default: whether
   * the clip is longer than the window. Hugging Face's extractor marks the only clip of a batch
   * with no long clip as longer (at random among several): `true` reproduces that.
   */
  readonly longer?: readonly (boolean | undefined)[];
}

const invalid = (code: string, message: string) => new ClapError(code, message);

/**
 * Checks `options` for a batch of `count` items: refused for a model without fusion input, lists
 * of the wrong length, flags that are not booleans, and crops for a batch given as a tensor.
 */
export function checkFusionOptions(
  options: FusionInputOptions | undefined,
  count: number,
  { fusion, tensor }: { fusion: boolean; tensor: boolean },
): void {
  if (options === undefined) return;
  if (!fusion)
    throw invalid(
      'FUSION_OPTIONS_UNFUSED',
      'Fusion crops / longer flags were given, but this model’s audio encoder takes no fusion input (only LAION-CLAP’s fused models do); drop them.',
    );
  for (const key of ['crops', 'longer'] as const) {
    const list = options[key];
    if (list !== undefined && (!Array.isArray(list) || list.length !== count))
      throw invalid(
        'FUSION_OPTIONS_COUNT',
        `fusion.${key} must have one entry per clip (${count}), got ${Array.isArray(list) ? list.length : typeof list}; use undefined for a clip that keeps the default.`,
      );
  }
  options.longer?.forEach((flag, i) => {
    if (flag !== undefined && typeof flag !== 'boolean')
      throw invalid(
        'FUSION_LONGER',
        `fusion.longer[${i}] must be true, false or undefined, got ${String(flag)}.`,
      );
    if (tensor && flag === undefined)
      throw invalid(
        'FUSION_LONGER',
        `fusion.longer[${i}] is undefined: for a batch given as a tensor give every clip's flag.`,
      );
  });
  if (tensor && options.crops !== undefined)
    throw invalid(
      'FUSION_CROPS_TENSOR',
      'fusion.crops apply to raw clips: a tensor batch already holds its crops (build it with fusionLogMel and its crops option).',
    );
}

/**
 * The fusion input `[batch, frames, melBins, 4]` of whole clips (`fusionLogMel` with each clip's
 * given crops) and the `longer` flags to pass the encoder: undefined when none was given (the
 * encoder then derives them from the input), else each clip's given flag or its own.
 * @throws ClapError `FUSION_CROPS_NOT_LONGER` for crops given for a clip no longer than the window
 */
export function fusionBatch(
  clips: readonly Float32Array[],
  extractor: LogMelExtractor,
  options: FusionInputOptions = {},
): { logMel: tf.Tensor4D; longer?: boolean[] } {
  const inputs = clips.map((clip, i) => {
    const crops = options.crops?.[i];
    const input = fusionLogMel(clip, extractor, crops === undefined ? {} : { crops });
    if (crops !== undefined && !input.longer)
      throw invalid(
        'FUSION_CROPS_NOT_LONGER',
        `fusion.crops[${i}] was given, but clip ${i} (${clip.length} samples) is no longer than the ${extractor.config.clipSeconds} s window, so it has no crops; drop them for this clip.`,
      );
    return input;
  });
  const { frames, melBins } = inputs[0]!;
  const size = frames * melBins * 4;
  const data = new Float32Array(inputs.length * size);
  inputs.forEach((input, i) => data.set(input.data, i * size));
  const logMel = tf.tensor4d(data, [inputs.length, frames, melBins, 4]);
  if (options.longer === undefined) return { logMel };
  return { logMel, longer: inputs.map((input, i) => options.longer?.[i] ?? input.longer) };
}
