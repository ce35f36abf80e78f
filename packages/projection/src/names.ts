/** Where one weight of a projection head lives in an upstream state_dict. */
export interface ProjectionName {
  /** The upstream key, e.g. `audio_projection.0.weight`. */
  readonly name: string;
  /** True for dense kernels: ours are `[in, out]`, nn.Linear's weight `[out, in]`. */
  readonly transpose: boolean;
}

/**
 * Maps the weights of an `mlp` head (`fc1` → ReLU → `fc2`, with biases) to the keys of a
 * published CLAP checkpoint's projection `Linear → ReLU → Linear`:
 * - `laion` (a LAION-CLAP `.pt`, after its `module.` prefix): `audio_projection.0.*`,
 *   `audio_projection.2.*` (an nn.Sequential), `text_projection.*` likewise;
 * - `hf` (Hugging Face ClapModel): `audio_projection.linear1.*`, `audio_projection.linear2.*`,
 *   `text_projection.*` likewise.
 *
 * Build the head as `{ name: 'mlp', dim: 512, activation: 'relu' }` (hidden defaults to dim, as
 * upstream's). LAION's `audio_transform`/`text_transform` (used only by its training losses) and
 * the logit scales are not part of a projection.
 * @example clapProjectionNames('audio', 'hf').get('fc1/kernel') // { name: 'audio_projection.linear1.weight', transpose: true }
 */
export function clapProjectionNames(
  side: 'audio' | 'text',
  family: 'laion' | 'hf',
): Map<string, ProjectionName> {
  const [first, second] = family === 'laion' ? ['0', '2'] : ['linear1', 'linear2'];
  const map = new Map<string, ProjectionName>();
  for (const [ours, theirs] of [
    ['fc1', first],
    ['fc2', second],
  ] as const) {
    map.set(`${ours}/kernel`, { name: `${side}_projection.${theirs}.weight`, transpose: true });
    map.set(`${ours}/bias`, { name: `${side}_projection.${theirs}.bias`, transpose: false });
  }
  return map;
}
