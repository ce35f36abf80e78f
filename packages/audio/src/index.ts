/**
 * @clapjs/audio: decoding (WAV, AIFF, FLAC, Ogg Vorbis, MP3), band-limited resampling, crop/pad,
 * SpecAugment and a log-mel front end that matches torchaudio, on typed arrays and tfjs.
 */
export { decodeAudio, sniffContainer } from './decode.js';
export type { AudioContainer, DecodeAudioOptions } from './decode.js';
export { decodeWav } from './wav/decode-wav.js';
export { decodeAiff } from './aiff/decode-aiff.js';
export { encodeWav } from './wav/encode-wav.js';
export type { EncodeWavOptions } from './wav/encode-wav.js';
export type { DecodedAudio } from './types.js';
export { AudioArgumentError, AudioDecodeError } from './errors.js';
export { resample, resampleFor } from './resample.js';
export type { ResampleMethod, ResampleOptions } from './resample.js';
export { resampleTorchaudio } from './resample-torchaudio.js';
export type { TorchaudioResampleOptions } from './resample-torchaudio.js';
export { logMelConfigSchema, validateLogMelConfig } from './config.js';
export type { LogMelConfig } from './config.js';
export { getPreset, PRESET_ALIASES, PRESET_NAMES } from './presets.js';
export type { CanonicalPresetName, PresetName } from './presets.js';
export { LogMelExtractor, reflectPad } from './log-mel.js';
export type { LogMel, LogMelExtractorOptions } from './log-mel.js';
export { hzToMel, melFilterbank, melToHz } from './dsp/mel.js';
export type { MelFilterbank, MelScale } from './dsp/mel.js';
export { hannWindow } from './dsp/window.js';
export { RealFFT } from './dsp/real-fft.js';
export { cropOrPad } from './crop.js';
export { clipWindows, windowClip, windowLength } from './windows.js';
export { streamAudio, measureAudio } from './stream/decode-stream.js';
export type { AudioChunk, AudioLength, StreamAudioOptions } from './stream/decode-stream.js';
export { StreamResampler, resampledLength } from './stream/resample-stream.js';
export { readAudioWindows, WindowCutter } from './stream/window-stream.js';
export type { AudioWindows, ClipWindow, StreamWindowConfig } from './stream/window-stream.js';
export {
  defaultFusionCrops,
  FUSION_CHANNELS,
  fusionCropRanges,
  fusionInput,
  fusionLogMel,
  shrinkFrames,
} from './fusion.js';
export type { FusionLogMel, FusionOptions } from './fusion.js';
export type { ClipWindowOptions, WindowingConfig, WindowSpan } from './windows.js';
export type { CropMode } from './crop.js';
export { specAugment } from './spec-augment.js';
export type { SpecAugmentOptions } from './spec-augment.js';
