import { clipWindows, windowClip } from '@clapjs/audio';
import type { ClapModel } from '@clapjs/model';

/**
 * The originals' single crop of a clip (samples at the model's rate) starting `seconds` in,
 * fitted to one window by the preset's padding: what `clapjs embed --crop-offset SECONDS`
 * embeds. msclap and unfused LAION-CLAP crop a long clip at a random offset; this reproduces a
 * given one, where the page otherwise averages windows that cover the clip.
 * @throws AudioArgumentError (a ClapError) for an offset past the clip's last crop
 */
export function cropAt(model: ClapModel, samples: Float32Array, seconds: number): Float32Array {
  const preset = model.frontEnd.config;
  const rate = preset.sampleRate;
  const [span] = clipWindows(samples.length, rate, preset, { offset: Math.round(seconds * rate) });
  return windowClip(samples, span!, rate, preset);
}
