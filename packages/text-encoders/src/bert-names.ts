import { ConfigError } from '@clapjs/core';

/** Where one clapjs weight lives in a Hugging Face BertModel state dict. */
export interface BertName {
  /** The Hugging Face name, e.g. `encoder.layer.0.attention.self.query.weight`. */
  readonly name: string;
  /**
   * True for dense kernels: clapjs stores [in, out], PyTorch's nn.Linear.weight is [out, in],
   * so the tensor is transposed on the way in and out.
   */
  readonly transpose: boolean;
}

/** The parts of a transformer config that decide its weight names. */
export interface BertNameMapConfig {
  readonly layers: number;
  readonly norm: 'pre' | 'post';
  readonly tokenTypes: number;
}

/**
 * Maps each weight path of a post-LN `transformer` text encoder to its name in Hugging Face's
 * `BertModel` (no `bert.` prefix: add the prefix the checkpoint uses, e.g. `bert.` for
 * BertForMaskedLM, `text_encoder.base.` style prefixes for CLAP checkpoints). LayerNorms map to
 * `.weight`/`.bias` (older checkpoints spell them `.gamma`/`.beta`). BERT's pooler
 * (`pooler.dense`) has no counterpart: clapjs pools the [CLS] vector directly, as msclap does.
 *
 * | clapjs path | HF name | transpose |
 * |---|---|---|
 * | `embeddings/word` | `embeddings.word_embeddings.weight` | no |
 * | `embeddings/position` | `embeddings.position_embeddings.weight` | no |
 * | `embeddings/tokenType` | `embeddings.token_type_embeddings.weight` | no |
 * | `embeddings/norm/{gamma,beta}` | `embeddings.LayerNorm.{weight,bias}` | no |
 * | `layer{i}/attention/{query,key,value}/kernel` | `encoder.layer.{i}.attention.self.{query,key,value}.weight` | yes |
 * | `layer{i}/attention/output/kernel` | `encoder.layer.{i}.attention.output.dense.weight` | yes |
 * | `layer{i}/attention/norm/{gamma,beta}` | `encoder.layer.{i}.attention.output.LayerNorm.{weight,bias}` | no |
 * | `layer{i}/ffn/intermediate/kernel` | `encoder.layer.{i}.intermediate.dense.weight` | yes |
 * | `layer{i}/ffn/output/kernel` | `encoder.layer.{i}.output.dense.weight` | yes |
 * | `layer{i}/ffn/norm/{gamma,beta}` | `encoder.layer.{i}.output.LayerNorm.{weight,bias}` | no |
 * (each `kernel` row has a matching `bias` → `.bias`, not transposed)
 *
 * For BERT-base use `{ norm: 'post', layers: 12, width: 768, heads: 12, ffn: 3072,
 * maxLength: 512, tokenTypes: 2, layerNormEpsilon: 1e-12 }` with the `bert-wordpiece` tokenizer.
 * @returns our path (without the model's `textEncoder/` prefix) → Hugging Face name
 * @throws ConfigError (`textEncoder.norm`) for a pre-LN encoder, which BERT's layout lacks
 */
export function bertNameMap(config: BertNameMapConfig): Map<string, BertName> {
  if (config.norm !== 'post') {
    throw new ConfigError(
      'textEncoder.norm',
      'Only a post-LN transformer (textEncoder.norm = "post") has BERT\'s layout; this one is pre-LN. ' +
        'Set norm: "post" to import or export BERT weights.',
    );
  }
  const map = new Map<string, BertName>();
  const plain = (path: string, name: string) => map.set(path, { name, transpose: false });
  const linear = (path: string, name: string) => {
    map.set(`${path}/kernel`, { name: `${name}.weight`, transpose: true });
    map.set(`${path}/bias`, { name: `${name}.bias`, transpose: false });
  };
  const norm = (path: string, name: string) => {
    plain(`${path}/gamma`, `${name}.weight`);
    plain(`${path}/beta`, `${name}.bias`);
  };
  plain('embeddings/word', 'embeddings.word_embeddings.weight');
  plain('embeddings/position', 'embeddings.position_embeddings.weight');
  if (config.tokenTypes > 0)
    plain('embeddings/tokenType', 'embeddings.token_type_embeddings.weight');
  norm('embeddings/norm', 'embeddings.LayerNorm');
  for (let i = 0; i < config.layers; i++) {
    const ours = `layer${i}`;
    const theirs = `encoder.layer.${i}`;
    for (const part of ['query', 'key', 'value'] as const)
      linear(`${ours}/attention/${part}`, `${theirs}.attention.self.${part}`);
    linear(`${ours}/attention/output`, `${theirs}.attention.output.dense`);
    norm(`${ours}/attention/norm`, `${theirs}.attention.output.LayerNorm`);
    linear(`${ours}/ffn/intermediate`, `${theirs}.intermediate.dense`);
    linear(`${ours}/ffn/output`, `${theirs}.output.dense`);
    norm(`${ours}/ffn/norm`, `${theirs}.output.LayerNorm`);
  }
  return map;
}
