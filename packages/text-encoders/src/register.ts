/**
 * Registers the built-in tokenizers (`bert-wordpiece`, `word`,
 * `byte-level-bpe`) and text encoders
 * (`transformer`, `bag-of-embeddings`, `roberta`, `gpt2`) with the @clapjs/core registry. Import for its effect:
 * `import '@clapjs/text-encoders/register'`.
 * @packageDocumentation
 */
import { register, type AnyPlugin } from '@clapjs/core';
import { textEncoderPlugins } from './plugins.js';

for (const plugin of textEncoderPlugins as readonly AnyPlugin[]) register(plugin);
