/**
 * @clapjs/audio-encoders — audio encoder plugins: the PANN CNN family (cnn6, cnn10, cnn14) with
 * PANNs' exact layer shapes and state_dict name map, and cnn-small for fast CPU training. This
 * entry registers nothing; import `@clapjs/audio-encoders/register` for that.
 * @packageDocumentation
 */
export { architecture, countParameters, minimumInput, parameterShapes } from './architecture.js';
export type { ArchitectureSpec, BlockSpec, ParameterShape } from './architecture.js';
export { avgPool2d } from './avg-pool.js';
export { BatchNorm } from './batch-norm.js';
export type { BatchNormOptions } from './batch-norm.js';
export { AudioEncoderInputError, CnnAudioEncoder } from './cnn-encoder.js';
export type { CnnOutputs } from './cnn-encoder.js';
export { pannConfigSchema, smallConfigSchema } from './config.js';
export type { AudioEncoderConfig, EncoderName, PannConfig, SmallConfig } from './config.js';
export { conv2d } from './conv2d.js';
export { PANNS_IGNORED_KEYS, pannsNameMap } from './name-map.js';
export type { PannsNameMapEntry, PannsTransform } from './name-map.js';
export * from './htsat/index.js';
export { audioEncoderPlugins, cnn10, cnn14, cnn6, cnnSmall, htsat } from './plugins.js';
export { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';
