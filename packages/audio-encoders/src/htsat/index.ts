export { bicubicMatrix, resizeTime } from './bicubic.js';
export { HTSAT_PRESETS, htsatConfigSchema } from './config.js';
export type { HtsatConfig, HtsatConfigInput } from './config.js';
export { HtsatAudioEncoder } from './encoder.js';
export type { HtsatForwardOptions, HtsatOutputs } from './encoder.js';
export { HTSAT_UNUSED_KEYS, htsatHfNames, htsatLaionNames } from './names.js';
export type { HtsatNameMapEntry, HtsatTransform } from './names.js';
export { htsatParameters, htsatPlan } from './plan.js';
export type {
  HtsatFusionPlan,
  HtsatParameter,
  HtsatPlan,
  SwinBlockPlan,
  SwinStagePlan,
} from './plan.js';
