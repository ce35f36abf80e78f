import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { byteLevelBpeTokenizerJson, type ByteLevelBpeState } from '@clapjs/text-encoders';
import { ImportError } from '../import/errors.js';

async function readText(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

function parse(path: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ImportError(
      'IMPORT_TOKENIZER_UNSUPPORTED',
      `${path} is not valid JSON (${(error as Error).message}); restore it from the snapshot it came from.`,
      { cause: error },
    );
  }
}

/**
 * The byte-level BPE (RoBERTa) tokenizer in `dir`: its `tokenizer.json`, or `vocab.json` +
 * `merges.txt` turned into one; undefined when `dir` has neither.
 * @throws ImportError `IMPORT_TOKENIZER_UNSUPPORTED` when a file is malformed
 */
export async function readByteLevelBpe(dir: string): Promise<ByteLevelBpeState | undefined> {
  const json = await readText(join(dir, 'tokenizer.json'));
  if (json !== undefined) {
    const tokenizer = parse(join(dir, 'tokenizer.json'), json);
    return { name: 'byte-level-bpe', tokenizer: tokenizer as Record<string, unknown> };
  }
  const vocab = await readText(join(dir, 'vocab.json'));
  const merges = await readText(join(dir, 'merges.txt'));
  if (vocab === undefined || merges === undefined) return undefined;
  const parsed = parse(join(dir, 'vocab.json'), vocab);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ImportError(
      'IMPORT_TOKENIZER_UNSUPPORTED',
      `${join(dir, 'vocab.json')} is not a token → id object; restore it from the snapshot it came from.`,
    );
  }
  return {
    name: 'byte-level-bpe',
    tokenizer: byteLevelBpeTokenizerJson({
      vocab: parsed as Record<string, number>,
      merges,
    }),
  };
}

/** Where the RoBERTa tokenizer files live, for error messages. */
export const ROBERTA_TOKENIZER_HINT =
  'a Hugging Face snapshot of roberta-base or laion/clap-htsat-unfused keeps vocab.json + merges.txt (or tokenizer.json) at its root, e.g. ~/.cache/huggingface/hub/models--roberta-base/snapshots/<commit>/';
