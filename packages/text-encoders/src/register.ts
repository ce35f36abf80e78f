/**
 * Registers the built-in tokenizers (`bert-wordpiece`, `word`,
 * `byte-level-bpe`) and text encoders
 * (`transformer`, `bag-of-embeddings`, `roberta`) with the @clapjs/core registry. Import for its effect:
 * `import '@clapjs/text-encoders/register'`.
 * @packageDocumentation
 */
import { register } from '@clapjs/core';
import { bagOfEmbeddingsPlugin } from './bag-of-embeddings.js';
import { robertaPlugin } from './roberta.js';
import { bertWordPiecePlugin } from './tokenizers/bert-wordpiece.js';
import { byteLevelBpePlugin } from './tokenizers/byte-level-bpe.js';
import { wordTokenizerPlugin } from './tokenizers/word.js';
import { transformerPlugin } from './transformer.js';

// One call per plugin (not a loop over a union-typed array) keeps each plugin's config type.
register(bertWordPiecePlugin);
register(wordTokenizerPlugin);
register(transformerPlugin);
register(bagOfEmbeddingsPlugin);
register(robertaPlugin);
register(byteLevelBpePlugin);
