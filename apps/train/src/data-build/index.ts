/**
 * Dataset builders for `clapjs data build`: gm-speech (rendered GM instruments and espeak-ng
 * speech) and real-eval (recorded sounds from Debian packages). The CLI command uses these
 * two; everything else in this folder is imported from its own file.
 */
export { buildGmSpeech } from './gm-speech.js';
export { buildRealEval } from './real-eval.js';
export type { BuildSummary } from './atomic.js';
