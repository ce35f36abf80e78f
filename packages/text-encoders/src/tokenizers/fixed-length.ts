import { ConfigError, type EncodedText } from '@clapjs/core';

/**
 * Checks the `maxLength` a caller asks a tokenizer for.
 * @throws ConfigError (`tokenizer.maxLength`) unless it is an integer ≥ 1
 */
export function checkMaxLength(maxLength: number, tokenizer: string): void {
  if (!Number.isInteger(maxLength) || maxLength < 1) {
    throw new ConfigError(
      'tokenizer.maxLength',
      `Tokenizer "${tokenizer}" was asked for maxLength ${maxLength}; it must be an integer ≥ 1 ` +
        `(the number of token positions per text). Set tokenizer.maxLength in your config, e.g. 32.`,
    );
  }
}

/**
 * Truncates ids to `maxLength` (longer texts are cut, never an error) and pads them with
 * `padId`; the mask is 1 for real tokens and 0 for padding.
 */
export function padOrTruncate(
  ids: readonly number[],
  maxLength: number,
  padId: number,
): EncodedText {
  const kept = ids.slice(0, maxLength);
  const mask = kept.map(() => 1);
  while (kept.length < maxLength) {
    kept.push(padId);
    mask.push(0);
  }
  return { ids: kept, mask };
}
