import { appendFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import * as tf from '@tensorflow/tfjs-core';
import type { StepInfo, TrainerCallback } from '@clapjs/core';

function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * A terminal progress bar (cli-progress) showing step, loss, learning rate, samples/s and ETA.
 * On a non-TTY stream it prints one line every `every` steps instead.
 */
export function progressCallback(
  stream: NodeJS.WriteStream = process.stderr,
  every = 25,
): TrainerCallback {
  const tty = stream.isTTY === true;
  const bar = new SingleBar({
    stream,
    format:
      'train |{bar}| step {value}/{total} | loss {loss} | lr {lr} | {rate} samples/s | ETA {eta_h}',
    barsize: 24,
    hideCursor: tty,
    noTTYOutput: false,
    etaBuffer: 50,
    barCompleteChar: '█',
    barIncompleteChar: '░',
  });
  let smoothed = NaN;
  let started = 0;
  let startStep = 0;
  let total = 0;
  return {
    name: 'progress',
    getConfig: () => ({ name: 'progress' }),
    onTrainBegin(info) {
      started = performance.now();
      startStep = info.startStep;
      total = info.totalSteps;
      if (tty)
        bar.start(info.totalSteps, info.startStep, { loss: '-', lr: '-', rate: '-', eta_h: '?' });
    },
    onStepEnd(info: StepInfo) {
      smoothed = Number.isNaN(smoothed)
        ? info.loss
        : 0.9 * smoothed + 0.1 * (Number.isFinite(info.loss) ? info.loss : smoothed);
      const elapsed = (performance.now() - started) / 1000;
      const eta = ((total - info.step) * elapsed) / Math.max(1, info.step - startStep);
      const values = {
        loss: smoothed.toFixed(3),
        lr: info.learningRate.toExponential(2),
        rate: info.samplesPerSecond.toFixed(1),
        eta_h: formatEta(eta),
      };
      if (tty) bar.update(info.step, values);
      else if (info.step % every === 0 || info.step === total) {
        stream.write(
          `step ${info.step}/${total} loss ${values.loss} lr ${values.lr} ${values.rate} samples/s ETA ${values.eta_h}\n`,
        );
      }
    },
    onTrainEnd() {
      if (tty) bar.stop();
    },
  };
}

/**
 * Appends `{ type: 'memory', step, numTensors, numBytes }` (tf.memory() after the step) to the
 * metrics file every step: a leak shows as a count that grows, on any backend.
 */
export function memoryCallback(path: string): TrainerCallback {
  return {
    name: 'memory',
    getConfig: () => ({ name: 'memory' }),
    onStepEnd(info: StepInfo) {
      const { numTensors, numBytes } = tf.memory();
      appendFileSync(
        path,
        `${JSON.stringify({ type: 'memory', step: info.step, numTensors, numBytes })}\n`,
      );
    },
  };
}
