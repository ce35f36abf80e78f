import { bagOfEmbeddingsPlugin } from './bag-of-embeddings.js';
import { gpt2Plugin } from './gpt2.js';
import { robertaPlugin } from './roberta.js';
import { bertWordPiecePlugin } from './tokenizers/bert-wordpiece.js';
import { byteLevelBpePlugin } from './tokenizers/byte-level-bpe.js';
import { wordTokenizerPlugin } from './tokenizers/word.js';
import { transformerPlugin } from './transformer.js';

/** Every plugin this package defines: tokenizers `bert-wordpiece`, `word`, `byte-level-bpe`; text encoders `transformer`, `bag-of-embeddings`, `roberta`, `gpt2`. */
export const textEncoderPlugins = [
  bertWordPiecePlugin,
  wordTokenizerPlugin,
  transformerPlugin,
  bagOfEmbeddingsPlugin,
  robertaPlugin,
  byteLevelBpePlugin,
  gpt2Plugin,
] as const;
