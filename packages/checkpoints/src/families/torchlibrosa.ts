import { hannWindow, melFilterbank, type LogMelConfig } from '@clapjs/audio';
import type { FrontEndTensor, ShapeTable } from './family.js';

/** The preset's windowed DFT kernels, laid out as torchlibrosa's Conv1d weights [bins, 1, nFft]. */
function stftKernel(audio: LogMelConfig, part: 'real' | 'imag'): Float32Array {
  const n = audio.nFft;
  const bins = Math.floor(n / 2) + 1;
  const window = hannWindow(audio.winLength, n);
  const out = new Float32Array(bins * n);
  for (let k = 0; k < bins; k++) {
    for (let t = 0; t < n; t++) {
      // Reduce k·t mod n first: the angle stays small, so float64 keeps every digit.
      const angle = (2 * Math.PI * ((k * t) % n)) / n;
      out[k * n + t] = (part === 'real' ? Math.cos(angle) : -Math.sin(angle)) * window[t]!;
    }
  }
  return out;
}

/** The preset's mel filterbank as torchlibrosa's `melW` [nFft/2 + 1, nMels]. */
function melMatrix(audio: LogMelConfig): Float32Array {
  const bank = melFilterbank({
    nFreqs: Math.floor(audio.nFft / 2) + 1,
    fMin: audio.fMin,
    fMax: audio.fMax,
    nMels: audio.nMels,
    // msclap 2023's HTSAT builds its filterbank for 32 kHz and feeds it 44.1 kHz audio.
    sampleRate: audio.melSampleRate ?? audio.sampleRate,
    melScale: audio.melScale,
    norm: audio.norm,
  });
  const out = new Float32Array(bank.nFreqs * bank.nMels);
  bank.weights.forEach((row, m) => {
    row.forEach((w, i) => {
      out[(bank.start[m]! + i) * bank.nMels + m] = w;
    });
  });
  return out;
}

/**
 * The torchlibrosa front-end buffers a checkpoint holds under `prefix` (PANNs' and HTS-AT's
 * `spectrogram_extractor.stft.conv_{real,imag}.weight`, `logmel_extractor.melW`), each with what
 * the model's preset predicts for it: the windowed DFT kernels and the mel filterbank.
 */
export function torchlibrosaFrontEnd(shapes: ShapeTable, prefix: string): FrontEndTensor[] {
  const tensors: FrontEndTensor[] = [];
  const stft = `${prefix}spectrogram_extractor.stft.conv_`;
  for (const part of ['real', 'imag'] as const) {
    const name = `${stft}${part}.weight`;
    const shape = shapes.get(name);
    if (shape === undefined) continue;
    tensors.push({
      name,
      expected: (config) => {
        const audio = config.audio as unknown as LogMelConfig;
        if (shape[2] !== audio.nFft)
          return `its STFT size is ${shape[2]}, the preset's nFft is ${audio.nFft}`;
        return {
          shape: [Math.floor(audio.nFft / 2) + 1, 1, audio.nFft],
          data: stftKernel(audio, part),
        };
      },
    });
  }
  const mel = `${prefix}logmel_extractor.melW`;
  if (shapes.has(mel)) {
    tensors.push({
      name: mel,
      expected: (config) => {
        const audio = config.audio as unknown as LogMelConfig;
        return { shape: [Math.floor(audio.nFft / 2) + 1, audio.nMels], data: melMatrix(audio) };
      },
    });
  }
  return tensors;
}
