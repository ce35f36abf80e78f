/**
 * @clapjs/text-encoders — the text side of clapjs: tokenizers (`bert-wordpiece`, `word`) and
 * text encoders (`transformer`, `bag-of-embeddings`, `roberta`, `gpt2`) as plugins, plus the pieces they are made
 * of. Importing this entry registers nothing; import `@clapjs/text-encoders/register` for that.
 * @packageDocumentation
 */
export { BertWordPieceTokenizer, bertWordPiecePlugin } from './tokenizers/bert-wordpiece.js';
export type { BertWordPieceConfig, BertWordPieceState } from './tokenizers/bert-wordpiece.js';
export {
  BERT_SPECIAL_IDS,
  BERT_VOCAB_SIZE,
  bertTokenizerJson,
  bertVocabulary,
} from './tokenizers/bert-vocab.js';
export {
  WORD_SPECIAL_TOKENS,
  WordTokenizer,
  fitWordVocabulary,
  splitWords,
  wordTokenizerPlugin,
} from './tokenizers/word.js';
export type { WordTokenizerConfig, WordTokenizerState } from './tokenizers/word.js';
export {
  ByteLevelBpeTokenizer,
  byteLevelBpePlugin,
  byteLevelBpeTokenizerJson,
} from './tokenizers/byte-level-bpe.js';
export type {
  ByteLevelBpeConfig,
  ByteLevelBpeFiles,
  ByteLevelBpeState,
} from './tokenizers/byte-level-bpe.js';
export { TransformerTextEncoder, transformerPlugin } from './transformer.js';
export type { TransformerConfig } from './transformer.js';
export { BagOfEmbeddingsTextEncoder, bagOfEmbeddingsPlugin } from './bag-of-embeddings.js';
export type { BagOfEmbeddingsConfig } from './bag-of-embeddings.js';
export { RobertaTextEncoder, robertaConfigSchema, robertaPlugin } from './roberta.js';
export type { RobertaConfig, RobertaOutputs } from './roberta.js';
export { ROBERTA_UNUSED_KEYS, robertaNameMap } from './roberta-names.js';
export type { RobertaNameMapConfig } from './roberta-names.js';
export { Gpt2TextEncoder, gpt2ConfigSchema, gpt2Plugin } from './gpt2.js';
export type { Gpt2Config } from './gpt2.js';
export { GPT2_UNUSED_KEYS, gpt2NameMap } from './gpt2-names.js';
export type { Gpt2NameMapConfig } from './gpt2-names.js';
export { bertNameMap } from './bert-names.js';
export type { BertName, BertNameMapConfig } from './bert-names.js';
export { embeddingLookup, scatterAddRows } from './embedding-lookup.js';
export { batchMatMul, transposeLastTwo } from './batch-matmul.js';
export { multiHeadAttention } from './transformer-block.js';
export { clsPool, lastTokenPool, maskedMeanPool } from './pooling.js';
export { loadGloveEmbeddings } from './glove.js';
export type { GloveEmbeddings } from './glove.js';

export { textEncoderPlugins } from './plugins.js';
