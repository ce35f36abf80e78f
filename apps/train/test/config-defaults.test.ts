import { AUTO_BACKEND_ORDER } from '@clapjs/core';
import { TRAINER_DEFAULTS } from '@clapjs/trainer';
import { describe, expect, it } from 'vitest';
import { BACKEND_CHOICES, parseTrainConfig } from '../src/config.js';

const MINIMAL = { data: { dataset: { name: 'synth' } } };

describe('the CLI config takes its defaults and lists from the packages that own them', () => {
  it("an empty train section gets the Trainer's defaults", () => {
    const { train } = parseTrainConfig(MINIMAL);
    const { optimizer } = TRAINER_DEFAULTS;
    expect(train).toMatchObject({
      lr: TRAINER_DEFAULTS.lr,
      minLr: TRAINER_DEFAULTS.minLr,
      optimizer: optimizer.kind,
      weightDecay: optimizer.weightDecay,
      beta1: optimizer.beta1,
      beta2: optimizer.beta2,
      clipNorm: TRAINER_DEFAULTS.clipNorm,
      maxBadSteps: TRAINER_DEFAULTS.maxBadSteps,
      keepLast: TRAINER_DEFAULTS.keepLast,
      workers: TRAINER_DEFAULTS.workers,
    });
  });

  it("the backends are auto and core's, in core's order", () => {
    expect(BACKEND_CHOICES).toEqual(['auto', ...AUTO_BACKEND_ORDER]);
    expect(parseTrainConfig({ ...MINIMAL, backend: 'wasm' }).backend).toBe('wasm');
    expect(() => parseTrainConfig({ ...MINIMAL, backend: 'metal' })).toThrow(/backend/);
  });
});
