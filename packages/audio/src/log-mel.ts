import type * as tf from '@tensorflow/tfjs-core';
import { AudioArgumentError } from './errors.js';
import { validateLogMelConfig, type LogMelConfig } from './config.js';
import { melFilterbank, type MelFilterbank } from './dsp/mel.js';
import { RealFFT } from './dsp/real-fft.js';
import { hannWindow } from './dsp/window.js';
import { wasmKernelAvailable, wasmLogMel } from './dsp/wasm-kernel.js';
import { LogMelGraph } from './log-mel-tf.js';

/** Options for {@link LogMelExtractor}. */
export interface LogMelExtractorOptions {
  /**
   * Which implementation `compute` runs: 'wasm' (a 4 KB WebAssembly kernel, the fastest),
   * 'js' (plain typed arrays) or 'auto' (wasm where WebAssembly exists; the default). Both
   * compute the mel energies with the same float64 operations in the same order; the wasm
   * kernel converts them to dB in float32 (within 1e-4 dB of the JS path's float64 logarithm).
   */
  kernel?: 'auto' | 'wasm' | 'js';
}

/** A log-mel spectrogram: `frames` rows of `melBins` dB values, row-major (time × frequency). */
export interface LogMel {
  /** frames × melBins values in dB, row-major. */
  data: Float32Array;
  /** Number of time frames (rows). */
  frames: number;
  /** Number of mel bands (columns). */
  melBins: number;
}

/**
 * Copies `samples` into a float64 buffer with `pad` samples reflected on each side
 * (torch's reflect mode: the edge sample itself is not repeated).
 */
export function reflectPad(
  samples: Float32Array,
  pad: number,
  out: Float64Array = new Float64Array(samples.length + 2 * pad),
): Float64Array {
  const n = samples.length;
  for (let i = 0; i < n; i++) out[pad + i] = samples[i] as number;
  for (let i = 1; i <= pad; i++) {
    out[pad - i] = samples[i] as number;
    out[pad + n - 1 + i] = samples[n - 1 - i] as number;
  }
  return out;
}

/**
 * Computes log-mel spectrograms exactly as torchaudio's MelSpectrogram followed by
 * AmplitudeToDB (periodic Hann window, reflect-padded centring, Slaney or HTK mel scale).
 * The window, FFT tables and filterbank are built once per extractor. Two paths give the
 * same numbers: {@link LogMelExtractor.compute} on typed arrays (float64 inside), and
 * {@link LogMelExtractor.computeBatch} with tfjs ops on any backend.
 */
export class LogMelExtractor {
  /** The validated configuration. */
  readonly config: LogMelConfig;
  /** Frequency bins per frame (nFft / 2 + 1). */
  readonly nFreqs: number;
  /** The periodic Hann window, zero-padded to nFft. */
  readonly window: Float64Array;
  /** The sparse mel filterbank. */
  readonly filterbank: MelFilterbank;
  private readonly fft: RealFFT;
  private readonly spectrum: Float64Array;
  private readonly melRow: Float64Array;
  /** dB = multiplier · log10(max(x, amin)) − offset. */
  private readonly multiplier: number;
  private readonly offset: number;
  private graph: LogMelGraph | undefined;
  /** The implementation {@link compute} uses. */
  readonly kernel: 'wasm' | 'js';

  /** @throws ConfigError when the configuration is invalid */
  constructor(config: LogMelConfig, options: LogMelExtractorOptions = {}) {
    this.config = validateLogMelConfig(config);
    const wanted = options.kernel ?? 'auto';
    if (wanted === 'wasm' && !wasmKernelAvailable())
      throw new AudioArgumentError(
        "LogMelExtractor: kernel 'wasm' requested but WebAssembly is unavailable here; use 'auto' or 'js'",
      );
    this.kernel = wanted === 'js' || (wanted === 'auto' && !wasmKernelAvailable()) ? 'js' : 'wasm';
    const c = this.config;
    this.nFreqs = c.nFft / 2 + 1;
    this.window = hannWindow(c.winLength, c.nFft);
    this.filterbank = melFilterbank({
      nFreqs: this.nFreqs,
      fMin: c.fMin,
      fMax: c.fMax,
      nMels: c.nMels,
      sampleRate: c.melSampleRate ?? c.sampleRate,
      melScale: c.melScale,
      norm: c.norm,
    });
    this.fft = new RealFFT(c.nFft);
    this.spectrum = new Float64Array(this.nFreqs);
    this.melRow = new Float64Array(c.nMels);
    this.multiplier = c.power === 2 ? 10 : 20;
    this.offset = this.multiplier * Math.log10(Math.max(c.amin, c.ref));
  }

  /** Samples in one clip of `config.clipSeconds` at `config.sampleRate`. */
  get clipSamples(): number {
    return Math.round(this.config.clipSeconds * this.config.sampleRate);
  }

  /** The number of frames a signal of `numSamples` samples gives (default: one clip). */
  frames(numSamples: number = this.clipSamples): number {
    const { nFft, hopLength, center } = this.config;
    const padded = numSamples + (center ? 2 * (nFft >> 1) : 0);
    return padded < nFft ? 0 : 1 + Math.floor((padded - nFft) / hopLength);
  }

  /** Throws unless `numSamples` is long enough for this configuration's framing. */
  checkLength(numSamples: number): void {
    const { nFft, center } = this.config;
    if (center ? numSamples <= nFft >> 1 : numSamples < nFft) {
      throw new AudioArgumentError(
        `LogMelExtractor: a signal of ${numSamples} samples is too short for nFft ${nFft}${center ? ' with reflect padding' : ''}; ` +
          `it needs more than ${center ? nFft >> 1 : nFft - 1} samples. Pad it first (cropOrPad).`,
      );
    }
  }

  private sqrtSpectrum(): void {
    const spectrum = this.spectrum;
    for (let k = 0; k < spectrum.length; k++) spectrum[k] = Math.sqrt(spectrum[k] as number);
  }

  /** Applies the filterbank to `this.spectrum` and converts the row to dB; returns its max. */
  private melFrame(data: Float32Array, row: number): number {
    const { start, weights, nMels } = this.filterbank;
    const spectrum = this.spectrum;
    const energies = this.melRow;
    for (let m = 0; m < nMels; m++) {
      const w = weights[m] as Float64Array;
      const s = start[m] as number;
      let acc = 0;
      for (let i = 0; i < w.length; i++) acc += (w[i] as number) * (spectrum[s + i] as number);
      energies[m] = acc;
    }
    return this.toDb(energies, data, row);
  }

  /** dB of the nMels `energies` into `data[row..]`; returns the row's max. */
  private toDb(energies: Float64Array, data: Float32Array, row: number): number {
    const { amin, nMels } = this.config;
    const scale = this.multiplier / Math.LN10;
    const offset = this.offset;
    let max = -Infinity;
    for (let m = 0; m < nMels; m++) {
      const e = energies[m] as number;
      const db = scale * Math.log(e > amin ? e : amin) - offset;
      data[row + m] = db;
      if (db > max) max = db;
    }
    return max;
  }

  /** The log-mel spectrogram of mono `samples` (at `config.sampleRate`), time-major. */
  compute(samples: Float32Array): LogMel {
    this.checkLength(samples.length);
    const { nFft, hopLength, center, power, topDb, nMels } = this.config;
    const frames = this.frames(samples.length);
    const data = new Float32Array(frames * nMels);
    const fill = (target: Float64Array): Float64Array =>
      center ? reflectPad(samples, nFft >> 1, target) : (target.set(samples), target);
    const signalLength = samples.length + (center ? 2 * (nFft >> 1) : 0);
    let max = -Infinity;
    if (this.kernel === 'wasm') {
      const { amin } = this.config;
      const scale = this.multiplier / Math.LN10;
      const db = {
        amin,
        scale,
        offset: this.offset,
        floorDb: scale * Math.log(amin) - this.offset,
      };
      wasmLogMel(
        fill,
        signalLength,
        frames,
        hopLength,
        this.fft,
        this.window,
        this.filterbank,
        power === 1,
        db,
        data,
      );
      if (topDb !== null)
        for (let i = 0; i < data.length; i++) max = Math.max(max, data[i] as number);
    } else {
      const signal = fill(new Float64Array(signalLength));
      for (let t = 0; t < frames; t++) {
        this.fft.powerSpectrum(signal, t * hopLength, this.window, this.spectrum);
        if (power === 1) this.sqrtSpectrum();
        max = Math.max(max, this.melFrame(data, t * nMels));
      }
    }
    if (topDb !== null) {
      const floor = Math.fround(max - topDb);
      for (let i = 0; i < data.length; i++) if ((data[i] as number) < floor) data[i] = floor;
    }
    return { data, frames, melBins: nMels };
  }

  /**
   * The same log-mel with tfjs ops, batched: `samples` is [batch, numSamples] at
   * `config.sampleRate`; the result is [batch, frames, nMels]. It uses only slice, concat,
   * reverse, reshape and matMul (the DFT is a matMul with precomputed cos/sin matrices), so it
   * runs on every backend, including wasm (no FFT kernel) and GPUs. `topDb` is applied per
   * clip. The caller owns (and disposes) the result; call {@link dispose} to free the matrices.
   */
  computeBatch(samples: tf.Tensor2D): tf.Tensor3D {
    this.checkLength(samples.shape[1]);
    this.graph ??= new LogMelGraph(this.config, this.window, this.filterbank);
    return this.graph.run(samples, this.frames(samples.shape[1]));
  }

  /** Frees the tfjs matrices {@link computeBatch} built (they are rebuilt on the next call). */
  dispose(): void {
    this.graph?.dispose();
    this.graph = undefined;
  }
}
