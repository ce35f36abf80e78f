import type { LogMel } from '@clapjs/audio';

// A compact viridis: five stops, linearly interpolated (enough for a picture, no dependency).
const VIRIDIS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

/** The viridis colour of `t` in [0, 1], as [r, g, b]. */
export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  return [0, 1, 2].map((k) => Math.round(a[k]! + (b[k]! - a[k]!) * f)) as [number, number, number];
}

/** Draws a waveform: the min and max of the samples under each pixel column. */
export function drawWaveform(canvas: HTMLCanvasElement, samples: Float32Array): void {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  const { width, height } = canvas;
  ctx.fillStyle = '#0f172a';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#38bdf8';
  const per = Math.max(1, samples.length / width);
  let peak = 1e-9;
  for (const s of samples) peak = Math.max(peak, Math.abs(s));
  for (let x = 0; x < width; x++) {
    let lo = 0;
    let hi = 0;
    const end = Math.min(samples.length, Math.floor((x + 1) * per));
    for (let i = Math.floor(x * per); i < end; i++) {
      const s = samples[i]! / peak;
      if (s < lo) lo = s;
      if (s > hi) hi = s;
    }
    const y0 = ((1 - hi) / 2) * height;
    const y1 = ((1 - lo) / 2) * height;
    ctx.fillRect(x, y0, 1, Math.max(1, y1 - y0));
  }
}

/** Draws a log-mel spectrogram: time to the right, low mel bins at the bottom, viridis colours. */
export function drawLogMel(canvas: HTMLCanvasElement, logMel: LogMel): void {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  const { data, frames, melBins } = logMel;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo || 1;
  const image = new ImageData(frames, melBins);
  for (let t = 0; t < frames; t++) {
    for (let m = 0; m < melBins; m++) {
      const [r, g, b] = viridis((data[t * melBins + m]! - lo) / span);
      const p = ((melBins - 1 - m) * frames + t) * 4;
      image.data[p] = r;
      image.data[p + 1] = g;
      image.data[p + 2] = b;
      image.data[p + 3] = 255;
    }
  }
  // Paint at native size on a scratch canvas, then scale up without smoothing (crisp cells).
  const scratch = document.createElement('canvas');
  scratch.width = frames;
  scratch.height = melBins;
  scratch.getContext('2d')?.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(scratch, 0, 0, canvas.width, canvas.height);
}
