// GELU (erf form) and its gradient in one pass each (@clapjs/core's GELU_KERNEL and
// GELU_GRAD_KERNEL), in place of tfjs's chain of ~4 forward and ~12 backward element-wise ops.
// erf is the approximation tfjs's own Erf kernels use (Abramowitz & Stegun 7.1.26, absolute error
// ≤ 1.5e-7), so this kernel and the op chain agree to float32 rounding. exp is computed inline
// (range reduction to |r| ≤ ln2/2, degree-7 Taylor polynomial, 2^n through the exponent bits) so
// that the loops vectorise; its relative error is ~1e-7.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels.h"

namespace clapjs {

namespace {

constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693145751953125f;      // ln 2 with its low 12 bits cleared (exact n·hi)
constexpr float kLn2Lo = 1.428606765330187045e-06f;  // ln 2 − kLn2Hi
constexpr float kSqrtHalf = 0.707106781186547524f;   // 1/√2
constexpr float kInvSqrt2Pi = 0.398942280401432678f;  // 1/√(2π)
// Abramowitz & Stegun 7.1.26 (tfjs's backend_util.ERF_*).
constexpr float kErfP = 0.3275911f;
constexpr float kErfA1 = 0.254829592f, kErfA2 = -0.284496736f, kErfA3 = 1.421413741f,
                kErfA4 = -1.453152027f, kErfA5 = 1.061405429f;

// e^x for x ≤ 0 (every caller's argument). Arguments below −87 are raised to −87 (e^−87 ≈ 1.6e-38,
// the smallest power kept normal), which changes neither erf nor the gradient in float32.
inline float expNonPositive(float x) {
  x = std::max(x, -87.0f);
  // Round to nearest by adding and subtracting 1.5·2^23 (vectorises where roundf does not).
  const float n = (x * kLog2e + 12582912.0f) - 12582912.0f;
  const float r = (x - n * kLn2Hi) - n * kLn2Lo;
  float p = 1.0f / 5040;
  p = p * r + 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

// erf(x) as tfjs computes it: sign(x)·(1 − poly(t)·t·e^(−x²)), t = 1/(1 + p|x|).
inline float erfApprox(float x) {
  const float v = std::fabs(x);
  const float t = 1.0f / (1.0f + kErfP * v);
  const float poly = ((((kErfA5 * t + kErfA4) * t + kErfA3) * t + kErfA2) * t + kErfA1) * t;
  return std::copysign(1.0f - poly * expNonPositive(-v * v), x);
}

// Elements below which a loop runs on the calling thread alone (waking the team costs more).
constexpr int64_t kParallelElements = 1 << 16;

// One chunk of each loop; the caller splits the work between OpenMP's threads.
__attribute__((target_clones("avx2", "default")))
void geluRange(const float* __restrict x, float* __restrict y, int64_t begin, int64_t end) {
#pragma omp simd
  for (int64_t i = begin; i < end; i++) {
    const float xi = x[i];
    y[i] = (xi * 0.5f) * (1.0f + erfApprox(xi * kSqrtHalf));
  }
}

__attribute__((target_clones("avx2", "default")))
void geluGradRange(const float* __restrict dy, const float* __restrict x, float* __restrict dx, int64_t begin,
                   int64_t end) {
#pragma omp simd
  for (int64_t i = begin; i < end; i++) {
    const float xi = x[i];
    const float cdf = 0.5f * (1.0f + erfApprox(xi * kSqrtHalf));
    const float pdf = kInvSqrt2Pi * expNonPositive(-0.5f * xi * xi);
    dx[i] = dy[i] * (cdf + xi * pdf);
  }
}

// Calls body(begin, end) over [0, n) in one contiguous chunk per thread (one when n is small).
template <typename F>
void chunked(int64_t n, F body) {
  if (n < kParallelElements || omp_get_max_threads() == 1) {
    body(0, n);
    return;
  }
#pragma omp parallel
  {
    const int64_t threads = omp_get_num_threads(), t = omp_get_thread_num();
    // Chunks aligned to 16 elements (whole vectors).
    const int64_t step = ((n + threads - 1) / threads + 15) / 16 * 16;
    const int64_t begin = std::min(n, t * step), end = std::min(n, begin + step);
    if (begin < end) body(begin, end);
  }
}

}  // namespace

void gelu(const float* x, float* y, int64_t n) {
  chunked(n, [&](int64_t begin, int64_t end) { geluRange(x, y, begin, end); });
}

void geluGrad(const float* dy, const float* x, float* dx, int64_t n) {
  chunked(n, [&](int64_t begin, int64_t end) { geluGradRange(dy, x, dx, begin, end); });
}

}  // namespace clapjs
