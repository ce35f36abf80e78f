// The log-mel hot loop for wasm32 with SIMD128: two frames at a time, one per float64 lane —
// window + real FFT (radix-4, first stage fused into the bit-reversed load) + power + sparse mel
// filterbank — then the dB conversion four values at a time in float32. Per lane the float64
// operations are those of src/dsp/real-fft.ts and LogMelExtractor.melFrame in the same order, so
// the mel energies equal the JS path's bit for bit; the logarithm is float32 (the output's type),
// within 1 ulp of the exact value.
// Build: sh scripts/build-wasm.sh (clang 14, lld; no libc). The tables come from JS.

typedef unsigned int u32;
typedef double v2 __attribute__((vector_size(16)));
typedef float v4 __attribute__((vector_size(16)));
typedef int i4 __attribute__((vector_size(16)));
typedef long long l2 __attribute__((vector_size(16)));

static inline v2 splat2(double x) { return (v2){x, x}; }
static inline v4 splat4(float x) { return (v4){x, x, x, x}; }

// X[a] = (frame0[a], frame1[a]) * window[a]: the two frames interleaved, windowed.
static void gather(const double *restrict f0, const double *restrict f1, const double *restrict window,
                   v2 *restrict x, int nfft) {
  for (int a = 0; a < nfft; a++) x[a] = (v2){f0[a] * window[a], f1[a] * window[a]};
}

static void load(const v2 *restrict x, const u32 *restrict bitrev, v2 *restrict re, v2 *restrict im,
                 int half, int odd) {
  if (odd) {
    int h2 = half >> 1;
    for (int r = 0; r < half; r += 2) {
      int a = 2 * (int)bitrev[r];
      int b = a + 2 * h2;
      v2 ar = x[a], ai = x[a + 1], br = x[b], bi = x[b + 1];
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
    v2 ar = x[i0], ai = x[i0 + 1], br = x[i1], bi = x[i1 + 1];
    v2 cr = x[i2], ci = x[i2 + 1], dr = x[i3], di = x[i3 + 1];
    v2 s0r = ar + br, s0i = ai + bi, s1r = ar - br, s1i = ai - bi;
    v2 s2r = cr + dr, s2i = ci + di, s3r = cr - dr, s3i = ci - di;
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

static void radix4(v2 *restrict re, v2 *restrict im, const double *restrict tw, int half, int odd) {
  for (int q = odd ? 2 : 4; q < half; q *= 4) {
    int len = 4 * q;
    for (int k = 0; k < q; k++) {
      v2 w1r = splat2(tw[6 * k]), w1i = splat2(tw[6 * k + 1]), w2r = splat2(tw[6 * k + 2]);
      v2 w2i = splat2(tw[6 * k + 3]), w3r = splat2(tw[6 * k + 4]), w3i = splat2(tw[6 * k + 5]);
      for (int i0 = k; i0 < half; i0 += len) {
        int i1 = i0 + q, i2 = i1 + q, i3 = i2 + q;
        v2 ar = re[i0], ai = im[i0];
        v2 xr = re[i1], xi = im[i1];
        v2 br = xr * w2r - xi * w2i, bi = xr * w2i + xi * w2r;
        xr = re[i2];
        xi = im[i2];
        v2 cr = xr * w1r - xi * w1i, ci = xr * w1i + xi * w1r;
        xr = re[i3];
        xi = im[i3];
        v2 dr = xr * w3r - xi * w3i, di = xr * w3i + xi * w3r;
        v2 s0r = ar + br, s0i = ai + bi, s1r = ar - br, s1i = ai - bi;
        v2 s2r = cr + dr, s2i = ci + di, s3r = cr - dr, s3i = ci - di;
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

// Natural logarithm of four positive, finite, normal floats (Cephes' logf: frexp, one
// polynomial on [sqrt(1/2) - 1, sqrt(2) - 1), e·ln 2 added in two parts); within 1 ulp.
static inline v4 log4(v4 x) {
  i4 bits = (i4)x;
  i4 e = ((bits >> 23) & 0xff) - 126;
  v4 m = (v4)((bits & 0x807fffff) | 0x3f000000); // x = m · 2^e, m in [0.5, 1)
  i4 small = m < splat4(0.707106781186547524f);  // all ones where m < sqrt(1/2)
  e = e + small;                                  // e - 1 there (true = -1)
  m = m + (v4)((i4)m & small) - splat4(1.0f);     // 2m - 1 there, m - 1 elsewhere
  v4 fe = __builtin_convertvector(e, v4);
  v4 z = m * m;
  v4 y = splat4(7.0376836292e-2f);
  y = y * m + splat4(-1.1514610310e-1f);
  y = y * m + splat4(1.1676998740e-1f);
  y = y * m + splat4(-1.2420140846e-1f);
  y = y * m + splat4(1.4249322787e-1f);
  y = y * m + splat4(-1.6668057665e-1f);
  y = y * m + splat4(2.0000714765e-1f);
  y = y * m + splat4(-2.4999993993e-1f);
  y = y * m + splat4(3.3333331174e-1f);
  y = y * m * z;
  y = y + fe * splat4(-2.12194440e-4f);
  y = y - splat4(0.5f) * z;
  return m + y + fe * splat4(0.693359375f);
}

// signal: padded input; out: frames x nmels values in dB (scale · ln(max(energy, amin)) - offset,
// floor_db where energy <= amin).
// split: (cos, sin) of 2*pi*k/nfft for k <= half; work: 2 * (nfft + 3 * half + 1) doubles, 16-byte
// aligned. power1: magnitude instead of power (sqrt per bin).
void mel_db(const double *signal, int frames, int hop, int nfft, const double *window, const u32 *bitrev,
            const double *twiddles, const double *split, int nmels, const int *mel_start, const int *mel_len,
            const double *mel_w, int power1, double amin, float scale, float offset, float floor_db, v2 *work,
            float *out) {
  int half = nfft >> 1;
  int odd = 0;
  for (int h = half; h > 1; h >>= 1) odd ^= 1;
  v2 *x = work, *re = x + nfft, *im = re + half, *spec = im + half;
  v2 floor = splat2(amin), one_half = splat2(0.5);
  for (int t = 0; t < frames; t += 2) {
    int second = t + 1 < frames; // an odd frame count repeats the last frame in lane 1, unwritten
    const double *f0 = signal + (long)t * hop;
    gather(f0, second ? f0 + hop : f0, window, x, nfft);
    load(x, bitrev, re, im, half, odd);
    radix4(re, im, twiddles, half, odd);
    v2 r0 = re[0], i0 = im[0];
    spec[0] = (r0 + i0) * (r0 + i0);
    spec[half] = (r0 - i0) * (r0 - i0);
    for (int k = 1; k < half; k++) {
      v2 a = re[k], b = im[k], c = re[half - k], d = im[half - k];
      v2 er = a + c, ei = b - d, or_ = b + d, oi = c - a;
      v2 wr = splat2(split[2 * k]), wi = splat2(-split[2 * k + 1]);
      v2 xr = one_half * (er + or_ * wr - oi * wi);
      v2 xi = one_half * (ei + or_ * wi + oi * wr);
      spec[k] = xr * xr + xi * xi;
    }
    if (power1)
      for (int k = 0; k <= half; k++) spec[k] = __builtin_wasm_sqrt_f64x2(spec[k]);
    float *row0 = out + (long)t * nmels, *row1 = row0 + nmels;
    const double *w = mel_w;
    for (int m = 0; m < nmels; m++) {
      const v2 *s = spec + mel_start[m];
      int n = mel_len[m];
      v2 acc = splat2(0);
      for (int i = 0; i < n; i++) acc += splat2(w[i]) * s[i];
      l2 above = acc > floor; // max(energy, amin) as `e > amin ? e : amin`
      acc = (v2)(((l2)acc & above) | ((l2)floor & ~above));
      row0[m] = (float)acc[0];
      if (second) row1[m] = (float)acc[1];
      w += n;
    }
  }
  // dB, four values at a time (the tail through one padded vector); energies at the floor get
  // floor_db exactly (the JS path's float64 value), so silence is exactly the floor.
  long total = (long)frames * nmels, i = 0;
  v4 s4 = splat4(scale), o4 = splat4(offset), f4 = splat4((float)amin), d4 = splat4(floor_db);
  for (; i < total; i += 4) {
    int n = total - i < 4 ? (int)(total - i) : 4;
    v4 e = f4;
    for (int l = 0; l < n; l++) e[l] = out[i + l];
    v4 db = s4 * log4(e) - o4;
    i4 at_floor = e <= f4;
    db = (v4)(((i4)d4 & at_floor) | ((i4)db & ~at_floor));
    for (int l = 0; l < n; l++) out[i + l] = db[l];
  }
}

// A bump allocator over linear memory: JS asks for the heap base and grows memory itself.
extern unsigned char __heap_base;
unsigned int heap_base(void) { return (unsigned int)&__heap_base; }
