// The log-mel hot loop for wasm32: per frame, window + real FFT (radix-4, first stage fused into
// the bit-reversed load) + power + sparse mel filterbank, in float64. It mirrors
// src/dsp/real-fft.ts and LogMelExtractor.melFrame step for step; the logarithm stays in JS.
// Build: sh scripts/build-wasm.sh (clang 14, lld; no libc). The tables come from JS.

typedef unsigned int u32;

static void load(const double *restrict frame, const double *restrict window, const u32 *restrict bitrev,
                 double *restrict re, double *restrict im, int half, int odd) {
  if (odd) {
    int h2 = half >> 1;
    for (int r = 0; r < half; r += 2) {
      int a = 2 * (int)bitrev[r];
      int b = a + 2 * h2;
      double ar = frame[a] * window[a], ai = frame[a + 1] * window[a + 1];
      double br = frame[b] * window[b], bi = frame[b + 1] * window[b + 1];
      re[r] = ar + br;
      im[r] = ai + bi;
      re[r + 1] = ar - br;
      im[r + 1] = ai - bi;
    }
    return;
  }
  int h4 = half >> 2;
  for (int r = 0; r < half; r += 4) {
    int i0 = 2 * (int)bitrev[r];
    int i1 = i0 + 4 * h4, i2 = i0 + 2 * h4, i3 = i1 + 2 * h4;
    double ar = frame[i0] * window[i0], ai = frame[i0 + 1] * window[i0 + 1];
    double br = frame[i1] * window[i1], bi = frame[i1 + 1] * window[i1 + 1];
    double cr = frame[i2] * window[i2], ci = frame[i2 + 1] * window[i2 + 1];
    double dr = frame[i3] * window[i3], di = frame[i3 + 1] * window[i3 + 1];
    double s0r = ar + br, s0i = ai + bi, s1r = ar - br, s1i = ai - bi;
    double s2r = cr + dr, s2i = ci + di, s3r = cr - dr, s3i = ci - di;
    re[r] = s0r + s2r;
    im[r] = s0i + s2i;
    re[r + 2] = s0r - s2r;
    im[r + 2] = s0i - s2i;
    re[r + 1] = s1r + s3i;
    im[r + 1] = s1i - s3r;
    re[r + 3] = s1r - s3i;
    im[r + 3] = s1i + s3r;
  }
}

static void radix4(double *restrict re, double *restrict im, const double *restrict tw, int half, int odd) {
  for (int q = odd ? 2 : 4; q < half; q *= 4) {
    int len = 4 * q;
    for (int k = 0; k < q; k++) {
      double w1r = tw[6 * k], w1i = tw[6 * k + 1], w2r = tw[6 * k + 2], w2i = tw[6 * k + 3];
      double w3r = tw[6 * k + 4], w3i = tw[6 * k + 5];
      for (int i0 = k; i0 < half; i0 += len) {
        int i1 = i0 + q, i2 = i1 + q, i3 = i2 + q;
        double ar = re[i0], ai = im[i0];
        double xr = re[i1], xi = im[i1];
        double br = xr * w2r - xi * w2i, bi = xr * w2i + xi * w2r;
        xr = re[i2];
        xi = im[i2];
        double cr = xr * w1r - xi * w1i, ci = xr * w1i + xi * w1r;
        xr = re[i3];
        xi = im[i3];
        double dr = xr * w3r - xi * w3i, di = xr * w3i + xi * w3r;
        double s0r = ar + br, s0i = ai + bi, s1r = ar - br, s1i = ai - bi;
        double s2r = cr + dr, s2i = ci + di, s3r = cr - dr, s3i = ci - di;
        re[i0] = s0r + s2r;
        im[i0] = s0i + s2i;
        re[i2] = s0r - s2r;
        im[i2] = s0i - s2i;
        re[i1] = s1r + s3i;
        im[i1] = s1i - s3r;
        re[i3] = s1r - s3i;
        im[i3] = s1i + s3r;
      }
    }
    tw += 6 * q;
  }
}

// signal: padded input; out: frames x nmels mel energies (before the logarithm).
// split: (cos, sin) of 2*pi*k/nfft for k <= half; work: 3*half + 1 doubles.
// power1: magnitude instead of power (sqrt per bin).
void mel_energies(const double *signal, int frames, int hop, int nfft, const double *window,
                  const u32 *bitrev, const double *twiddles, const double *split, int nmels,
                  const int *mel_start, const int *mel_len, const double *mel_w, int power1,
                  double *work, double *out) {
  int half = nfft >> 1;
  int odd = 0;
  for (int h = half; h > 1; h >>= 1) odd ^= 1;
  double *re = work, *im = work + half, *spec = work + 2 * half;
  for (int t = 0; t < frames; t++) {
    load(signal + (long)t * hop, window, bitrev, re, im, half, odd);
    radix4(re, im, twiddles, half, odd);
    double r0 = re[0], i0 = im[0];
    spec[0] = (r0 + i0) * (r0 + i0);
    spec[half] = (r0 - i0) * (r0 - i0);
    for (int k = 1; k < half; k++) {
      double a = re[k], b = im[k], c = re[half - k], d = im[half - k];
      double er = a + c, ei = b - d, or_ = b + d, oi = c - a;
      double wr = split[2 * k], wi = -split[2 * k + 1];
      double xr = 0.5 * (er + or_ * wr - oi * wi);
      double xi = 0.5 * (ei + or_ * wi + oi * wr);
      spec[k] = xr * xr + xi * xi;
    }
    if (power1)
      for (int k = 0; k <= half; k++) spec[k] = __builtin_sqrt(spec[k]);
    double *row = out + (long)t * nmels;
    const double *w = mel_w;
    for (int m = 0; m < nmels; m++) {
      const double *s = spec + mel_start[m];
      int n = mel_len[m];
      double acc = 0;
      for (int i = 0; i < n; i++) acc += w[i] * s[i];
      row[m] = acc;
      w += n;
    }
  }
}

// A bump allocator over linear memory: JS asks for the heap base and grows memory itself.
extern unsigned char __heap_base;
unsigned int heap_base(void) { return (unsigned int)&__heap_base; }
