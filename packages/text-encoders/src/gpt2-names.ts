/** The parts of a `gpt2` config that decide its weight names. */
export interface Gpt2NameMapConfig {
  readonly layers: number;
}

/**
 * Hugging Face GPT2Model keys with no counterpart here, on purpose: the causal-mask buffers
 * `attn.bias` and `attn.masked_bias` that older transformers versions save (clapjs builds the
 * mask from the sequence length).
 */
export const GPT2_UNUSED_KEYS: readonly RegExp[] = [/(^|\.)attn\.(bias|masked_bias)$/];

/**
 * Maps each weight path of a `gpt2` text encoder to its GPT2Model state_dict key under `prefix`
 * (msclap 2023: `caption_encoder.base.`). Our paths are the upstream names with `/`; GPT-2's
 * Conv1D weights are stored [in, out], our kernel layout, so nothing is transposed.
 * @example gpt2NameMap({ layers: 12 }, 'caption_encoder.base.').get('h/0/attn/c_attn/weight') // 'caption_encoder.base.h.0.attn.c_attn.weight'
 */
export function gpt2NameMap(config: Gpt2NameMapConfig, prefix = ''): Map<string, string> {
  const paths = ['wte/weight', 'wpe/weight'];
  for (let i = 0; i < config.layers; i++) {
    for (const part of ['ln_1', 'attn/c_attn', 'attn/c_proj', 'ln_2', 'mlp/c_fc', 'mlp/c_proj'])
      paths.push(`h/${i}/${part}/weight`, `h/${i}/${part}/bias`);
  }
  paths.push('ln_f/weight', 'ln_f/bias');
  return new Map(paths.map((path) => [path, prefix + path.replaceAll('/', '.')]));
}
