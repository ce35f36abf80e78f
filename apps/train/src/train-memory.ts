import { architecture, type AudioEncoderConfig } from '@clapjs/audio-encoders';
import type { LogMelConfig } from '@clapjs/audio';
import { CliError } from './errors.js';

/**
 * tfjs-backend-wasm 4.22's heap limit (its `getHeapMax`: 65,535 pages of 64 KiB). Every tensor of
 * the wasm backend lives there, @clapjs/kernels-native's included, so a step that needs more
 * ends in `Aborted()`.
 */
export const WASM_HEAP_BYTES = 4_294_901_760;

/**
 * How much more heap a step takes than the tensors counted below: the backward pass's
 * temporaries and the allocator's fragmentation (the heap never shrinks). Measured 2026-12-04:
 * full CNN14 + a 2-layer transformer, `fast` preset, batch 4 (wasm + kernels-native): heap
 * high-water 3.61 GB against 2.04 GB counted, 1.77×.
 */
export const HEAP_HEADROOM = 1.8;

/** What a training step needs at its peak, in bytes. */
export interface TrainingMemoryEstimate {
  /** Every weight (and BatchNorm statistic), fp32. */
  readonly weights: number;
  /** The trainable weights' gradients and both Adam moments. */
  readonly optimizer: number;
  /** Adam's update temporaries: three copies of the largest trainable weight. */
  readonly update: number;
  /** Activations one clip keeps for the backward pass (audio encoder; 0 when not estimated). */
  readonly activationsPerClip: number;
  /** The heap the step is expected to need: the sum of the above × {@link HEAP_HEADROOM}. */
  readonly total: number;
}

const CNN = new Set(['cnn6', 'cnn10', 'cnn14', 'cnn-small']);

/**
 * Activations a CNN encoder keeps per clip during a training step: each conv's output and the
 * BatchNorm and ReLU tensors after it (five copies of the conv's output), plus the largest conv's
 * im2col buffer twice (forward and the filter gradient).
 */
function cnnActivations(config: AudioEncoderConfig, audio: LogMelConfig): number {
  const spec = architecture(config, audio.nMels);
  let frames = Math.floor(Math.round(audio.clipSeconds * audio.sampleRate) / audio.hopLength) + 1;
  let mels = audio.nMels;
  frames = Math.floor(frames / spec.inputPool[0]);
  mels = Math.floor(mels / spec.inputPool[1]);
  let floats = frames * mels;
  let largestColumns = 0;
  let inChannels = 1;
  for (const block of spec.blocks) {
    const outputs = block.channels * frames * mels;
    floats += 5 * outputs * block.convs;
    largestColumns = Math.max(
      largestColumns,
      block.kernel * block.kernel * Math.max(inChannels, block.channels) * frames * mels,
    );
    inChannels = block.channels;
    frames = Math.max(1, Math.floor(frames / block.pool[0]));
    mels = Math.max(1, Math.floor(mels / block.pool[1]));
  }
  return 4 * (floats + 2 * largestColumns);
}

/**
 * Estimates the peak memory of one training step: weights, gradients and Adam moments of the
 * trainable ones, the update's temporaries, and `batchSize` clips' activations (estimated for
 * the CNN encoders; other encoders count 0, so the estimate is then a lower bound).
 */
export function estimateTrainingMemory(options: {
  readonly parameters: readonly { readonly size: number; readonly trainable: boolean }[];
  readonly audio: LogMelConfig;
  readonly audioEncoder: { readonly name: string } & Record<string, unknown>;
  readonly batchSize: number;
}): TrainingMemoryEstimate {
  const all = options.parameters.reduce((n, p) => n + p.size, 0);
  const trainable = options.parameters.filter((p) => p.trainable);
  const trained = trainable.reduce((n, p) => n + p.size, 0);
  const largest = trainable.reduce((n, p) => Math.max(n, p.size), 0);
  const activationsPerClip = CNN.has(options.audioEncoder.name)
    ? cnnActivations(options.audioEncoder as AudioEncoderConfig, options.audio)
    : 0;
  const weights = 4 * all;
  const optimizer = 4 * 3 * trained;
  const update = 4 * 3 * largest;
  return {
    weights,
    optimizer,
    update,
    activationsPerClip,
    total: HEAP_HEADROOM * (weights + optimizer + update + options.batchSize * activationsPerClip),
  };
}

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(2)} GB`;

/**
 * Refuses, before the first step, a training run that cannot fit the wasm backend's heap.
 * @throws CliError `TRAINING_MEMORY` with the estimate, the limit and the ways out
 */
export function checkTrainingMemory(
  estimate: TrainingMemoryEstimate,
  context: { readonly backend: string; readonly batchSize: number; readonly encoder: string },
): void {
  if (context.backend !== 'wasm' || estimate.total <= WASM_HEAP_BYTES) return;
  const fixed = estimate.weights + estimate.optimizer + estimate.update;
  const fits =
    estimate.activationsPerClip > 0
      ? Math.floor((WASM_HEAP_BYTES / HEAP_HEADROOM - fixed) / estimate.activationsPerClip)
      : 0;
  const smaller =
    fits >= 2 ? `lower data.batchSize to ${fits} or less` : 'a smaller batch does not fit either';
  throw new CliError(
    'TRAINING_MEMORY',
    `Training ${context.encoder} at batch ${context.batchSize} on wasm needs about ${gb(estimate.total)} (weights ${gb(estimate.weights)}, gradients + Adam moments ${gb(estimate.optimizer)}, update ${gb(estimate.update)}, activations ${gb(estimate.activationsPerClip)} per clip, ×${HEAP_HEADROOM} for temporaries and fragmentation), ` +
      `more than the wasm backend's ${gb(WASM_HEAP_BYTES)} heap (kernels-native keeps its tensors there too). Ways out: ${smaller}; freeze the audio encoder (freeze: [audioEncoder]); or train on a GPU backend (--backend webgpu or tensorflow).`,
  );
}
