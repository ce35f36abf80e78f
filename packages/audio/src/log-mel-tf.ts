import * as tf from '@tensorflow/tfjs-core';
import type { LogMelConfig } from './config.js';
import { denseFilterbank, type MelFilterbank } from './dsp/mel.js';

/**
 * The tfjs side of {@link LogMelExtractor}: the windowed DFT as one [nFft, 2·nFreqs] matrix
 * (cos | sin, window folded in) and the dense mel filterbank, built per backend on first use.
 */
export class LogMelGraph {
  private dft: tf.Tensor2D | undefined;
  private mel: tf.Tensor2D | undefined;
  private backend: string | undefined;

  constructor(
    private readonly config: LogMelConfig,
    private readonly window: Float64Array,
    private readonly filterbank: MelFilterbank,
  ) {}

  private matrices(): [tf.Tensor2D, tf.Tensor2D] {
    // Tensors belong to a backend: rebuild after tf.setBackend switched it.
    if (this.dft && this.mel && this.backend === tf.getBackend()) return [this.dft, this.mel];
    this.dispose();
    const { nFft } = this.config;
    const nFreqs = nFft / 2 + 1;
    const dft = new Float32Array(nFft * 2 * nFreqs);
    for (let n = 0; n < nFft; n++) {
      const w = this.window[n] as number;
      const row = n * 2 * nFreqs;
      for (let k = 0; k < nFreqs; k++) {
        // (k·n) mod nFft keeps the angle exact for large k·n.
        const angle = (2 * Math.PI * ((k * n) % nFft)) / nFft;
        dft[row + k] = w * Math.cos(angle);
        dft[row + nFreqs + k] = -w * Math.sin(angle);
      }
    }
    this.dft = tf.tensor2d(dft, [nFft, 2 * nFreqs]);
    this.mel = tf.tensor2d(denseFilterbank(this.filterbank), [nFreqs, this.filterbank.nMels]);
    this.backend = tf.getBackend();
    return [this.dft, this.mel];
  }

  /** [batch, numSamples] → [batch, frames, nMels] log-mel. */
  run(samples: tf.Tensor2D, frames: number): tf.Tensor3D {
    const [dft, mel] = this.matrices();
    const { nFft, hopLength, center, power, amin, ref, topDb, nMels } = this.config;
    const nFreqs = nFft / 2 + 1;
    return tf.tidy(() => {
      const [batch, length] = samples.shape;
      let x: tf.Tensor2D = samples;
      if (center) {
        const pad = nFft >> 1;
        const left = tf.reverse(tf.slice(x, [0, 1], [batch, pad]), 1);
        const right = tf.reverse(tf.slice(x, [0, length - 1 - pad], [batch, pad]), 1);
        x = tf.concat([left, x, right], 1);
      }
      // Framing without gather: cut the signal into hop-sized blocks; frame t is blocks
      // t..t+k-1 laid side by side (k = ceil(nFft / hop)), trimmed to nFft.
      const k = Math.ceil(nFft / hopLength);
      const blocks = frames + k - 1;
      const need = blocks * hopLength;
      const have = x.shape[1];
      x =
        need > have
          ? tf.concat([x, tf.zeros([batch, need - have])], 1)
          : tf.slice(x, [0, 0], [batch, need]);
      const blocked = tf.reshape(x, [batch, blocks, hopLength]);
      const parts: tf.Tensor3D[] = [];
      for (let j = 0; j < k; j++)
        parts.push(tf.slice(blocked, [0, j, 0], [batch, frames, hopLength]) as tf.Tensor3D);
      let framed: tf.Tensor3D = k === 1 ? (parts[0] as tf.Tensor3D) : tf.concat(parts, 2);
      if (k * hopLength !== nFft) framed = tf.slice(framed, [0, 0, 0], [batch, frames, nFft]);
      const spectrum = tf.matMul(tf.reshape(framed, [batch * frames, nFft]), dft);
      const re = tf.slice(spectrum, [0, 0], [batch * frames, nFreqs]);
      const im = tf.slice(spectrum, [0, nFreqs], [batch * frames, nFreqs]);
      let spec = tf.add(tf.square(re), tf.square(im));
      if (power === 1) spec = tf.sqrt(spec);
      const melSpec = tf.matMul(spec, mel);
      const multiplier = power === 2 ? 10 : 20;
      const offset = multiplier * Math.log10(Math.max(amin, ref));
      const db = tf.sub(tf.mul(tf.log(tf.maximum(melSpec, amin)), multiplier / Math.LN10), offset);
      const out = tf.reshape(db, [batch, frames, nMels]) as tf.Tensor3D;
      return topDb === null ? out : tf.maximum(out, tf.sub(tf.max(out, [1, 2], true), topDb));
    });
  }

  dispose(): void {
    this.dft?.dispose();
    this.mel?.dispose();
    this.dft = undefined;
    this.mel = undefined;
  }
}
