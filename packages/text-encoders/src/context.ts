import { ClapError, ConfigError, type PluginContexts, type TokenBatch } from '@clapjs/core';

/**
 * Checks what the model builder hands a text encoder.
 * @throws ConfigError when the tokenizer's vocabulary is empty or maxLength is not positive
 */
export function checkTextEncoderContext(
  encoder: string,
  context: PluginContexts['text-encoder'],
): void {
  if (!Number.isInteger(context.vocabSize) || context.vocabSize < 1) {
    throw new ConfigError(
      'textEncoder.vocabSize',
      `Text encoder "${encoder}" was given vocabSize ${context.vocabSize}: the tokenizer's vocabulary is empty. ` +
        'Fit the tokenizer on captions that contain words (or lower tokenizer.minCount), or use bert-wordpiece.',
    );
  }
  if (!Number.isInteger(context.maxLength) || context.maxLength < 1) {
    throw new ConfigError(
      'tokenizer.maxLength',
      `Text encoder "${encoder}" was given maxLength ${context.maxLength}; it must be an integer ≥ 1. Set tokenizer.maxLength.`,
    );
  }
}

/**
 * Checks a token batch: ids and mask both [batch, length], length within the encoder's
 * positions.
 * @throws ClapError `TOKENS_INVALID` naming the shapes and the fix
 */
export function checkTokenBatch(encoder: string, tokens: TokenBatch, maxPositions: number): void {
  const { ids, mask } = tokens;
  const fix = 'Build the batch with the tokenizer the model was created with (ClapModel.tokenize).';
  if (
    ids.rank !== 2 ||
    mask.rank !== 2 ||
    ids.shape[0] !== mask.shape[0] ||
    ids.shape[1] !== mask.shape[1]
  ) {
    throw new ClapError(
      'TOKENS_INVALID',
      `Text encoder "${encoder}" needs ids and mask of one shape [batch, length], got ids [${ids.shape}] and mask [${mask.shape}]. ${fix}`,
    );
  }
  if (ids.shape[1] > maxPositions) {
    throw new ClapError(
      'TOKENS_INVALID',
      `Text encoder "${encoder}" has ${maxPositions} positions but got ${ids.shape[1]} tokens per text. ` +
        `Tokenize with maxLength ≤ ${maxPositions}, or raise textEncoder.maxLength. ${fix}`,
    );
  }
}
