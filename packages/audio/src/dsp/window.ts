/**
 * A periodic Hann window of `winLength` samples (torch.hann_window(periodic=True)), zero-padded
 * on both sides to `nFft` the way torch.stft centres a shorter window.
 */
export function hannWindow(winLength: number, nFft = winLength): Float64Array {
  const out = new Float64Array(nFft);
  const left = Math.floor((nFft - winLength) / 2);
  for (let i = 0; i < winLength; i++)
    out[left + i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / winLength);
  return out;
}
