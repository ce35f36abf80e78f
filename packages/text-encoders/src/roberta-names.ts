import { bertNameMap, type BertName } from './bert-names.js';

/** The parts of a `roberta` config that decide its weight names. */
export interface RobertaNameMapConfig {
  readonly layers: number;
}

/**
 * Hugging Face's RobertaModel keys with no counterpart here, on purpose: the `position_ids` and
 * `token_type_ids` buffers (clapjs computes positions from the ids).
 */
export const ROBERTA_UNUSED_KEYS: readonly RegExp[] = [
  /(^|\.)embeddings\.position_ids$/,
  /(^|\.)embeddings\.token_type_ids$/,
];

/**
 * Maps each weight path of a `roberta` text encoder to its state_dict key: BERT's layout
 * ({@link bertNameMap}) plus `pooler.dense`, under `prefix` — `text_model.` for Hugging Face's
 * ClapModel (`pytorch_model.bin`), `text_branch.` for a LAION-CLAP `.pt` (after its `module.`),
 * `''` for a bare RobertaModel. Dense kernels are transposed (`transpose: true`).
 * @example robertaNameMap({ layers: 12 }, 'text_model.').get('pooler/kernel') // { name: 'text_model.pooler.dense.weight', transpose: true }
 */
export function robertaNameMap(
  config: RobertaNameMapConfig,
  prefix = 'text_model.',
): Map<string, BertName> {
  const map = new Map<string, BertName>();
  for (const [path, entry] of bertNameMap({ layers: config.layers, norm: 'post', tokenTypes: 1 }))
    map.set(path, { ...entry, name: prefix + entry.name });
  map.set('pooler/kernel', { name: `${prefix}pooler.dense.weight`, transpose: true });
  map.set('pooler/bias', { name: `${prefix}pooler.dense.bias`, transpose: false });
  return map;
}
