import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ImportError } from './errors.js';

/**
 * The tokens of a Hugging Face WordPiece tokenizer directory's `vocab.txt`, one per line, by id.
 * @throws ImportError `IMPORT_TOKENIZER_UNSUPPORTED` when the directory has no vocab.txt
 */
export async function readVocabulary(dir: string): Promise<string[]> {
  const file = join(dir, 'vocab.txt');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ImportError(
      'IMPORT_TOKENIZER_UNSUPPORTED',
      `Cannot read ${file} (${(error as Error).message}); --tokenizer takes a directory with a WordPiece vocab.txt (a Hugging Face bert-base-uncased snapshot).`,
      { cause: error },
    );
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => line.replace(/\r$/, ''));
}
