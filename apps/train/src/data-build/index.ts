/**
 * Dataset builders for `clapjs data build`: gm-speech (rendered GM instruments and espeak-ng
 * speech) and real-eval (recorded sounds from Debian packages).
 */
export { buildGmSpeech, planGmSpeech, manifestRow, GM_LICENCES } from './gm-speech.js';
export type { GmSpeechOptions } from './gm-speech.js';
export { buildRealEval } from './real-eval.js';
export type { RealEvalOptions, RealEvalSet } from './real-eval.js';
export type { BuildSummary } from './atomic.js';
export { checkTools, DEFAULT_SOUNDFONT } from './tools.js';
export type { ToolOptions, Tools } from './tools.js';
export {
  DataBuildError,
  MissingToolError,
  GM_SPEECH_APT_LINE,
  REAL_EVAL_APT_LINE,
} from './errors.js';
export { COMBO_TEMPLATE, VOCAB_TEMPLATES } from './gm-captions.js';
export { heldOutCombos, allComboLabels } from './gm-plan.js';
export { transferLabel, promptFor, templateFor } from './transfer-labels.js';
export { readSoundCatalogue } from './opensfx-cat.js';
