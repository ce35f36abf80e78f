import { architecture, parameterShapes } from '@clapjs/audio-encoders';
import { getPreset } from '@clapjs/audio';
import { describe, expect, it } from 'vitest';
import { CliError } from './errors.js';
import { checkTrainingMemory, estimateTrainingMemory, WASM_HEAP_BYTES } from './train-memory.js';

const CNN14 = { name: 'cnn14' } as const;
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Full CNN14's weights (80.8 M trainable + BatchNorm statistics), frozen or not. */
function cnn14Parameters(frozen = false) {
  return parameterShapes(architecture(CNN14, 64)).map((p) => ({
    size: size(p.shape),
    trainable: p.trainable && !frozen,
  }));
}

describe('training memory on the wasm backend', () => {
  it('counts weights, gradients + Adam moments and the update from the parameters', () => {
    const estimate = estimateTrainingMemory({
      parameters: cnn14Parameters(),
      audio: getPreset('fast'),
      audioEncoder: CNN14,
      batchSize: 4,
    });
    const trainable = cnn14Parameters()
      .filter((p) => p.trainable)
      .reduce((n, p) => n + p.size, 0);
    // PANNs' 80.8 M less the AudioSet head (fc_audioset), which CLAP models do not build.
    expect(trainable).toBeGreaterThan(79e6);
    expect(estimate.optimizer).toBe(4 * 3 * trainable);
    // conv_block6.conv2 (3 × 3 × 2048 × 2048) is the largest weight.
    expect(estimate.update).toBe(4 * 3 * 9 * 2048 * 2048);
    // Full CNN14 at batch 4 on the fast preset: measured to train on wasm (2 steps, 2026-12-04).
    expect(estimate.total).toBeLessThan(WASM_HEAP_BYTES);
    expect(() =>
      checkTrainingMemory(estimate, { backend: 'wasm', batchSize: 4, encoder: 'cnn14' }),
    ).not.toThrow();
  });

  it('refuses up front what cannot fit, with the estimate, the limit and the ways out', () => {
    const refusal = (preset: 'fast' | 'msclap-2022', batchSize: number): string => {
      const estimate = estimateTrainingMemory({
        parameters: cnn14Parameters(),
        audio: getPreset(preset),
        audioEncoder: CNN14,
        batchSize,
      });
      expect(estimate.total).toBeGreaterThan(WASM_HEAP_BYTES);
      // A GPU backend has no such heap.
      expect(() =>
        checkTrainingMemory(estimate, { backend: 'webgpu', batchSize, encoder: 'cnn14' }),
      ).not.toThrow();
      try {
        checkTrainingMemory(estimate, { backend: 'wasm', batchSize, encoder: 'cnn14' });
      } catch (error) {
        expect(error).toBeInstanceOf(CliError);
        expect((error as CliError).code).toBe('TRAINING_MEMORY');
        return (error as Error).message;
      }
      throw new Error('not refused');
    };
    const big = refusal('fast', 64);
    expect(big).toMatch(/needs about \d+\.\d\d GB/);
    expect(big).toMatch(/4\.29 GB heap/);
    expect(big).toMatch(/lower data\.batchSize to \d+ or less/);
    expect(big).toMatch(/freeze: \[audioEncoder\]/);
    expect(big).toMatch(/--backend webgpu/);
    // 5 s clips at 44.1 kHz: no batch of two or more fits with every weight training.
    expect(refusal('msclap-2022', 4)).toMatch(/a smaller batch does not fit either/);
  });

  it('a frozen encoder needs no gradients, moments or update for its weights', () => {
    const frozen = estimateTrainingMemory({
      parameters: cnn14Parameters(true),
      audio: getPreset('fast'),
      audioEncoder: CNN14,
      batchSize: 4,
    });
    expect(frozen.optimizer).toBe(0);
    expect(frozen.update).toBe(0);
  });
});
