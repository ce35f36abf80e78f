// Batch normalisation (+ ReLU) over a [rows, C] matrix in training mode, forward and backward
// (@clapjs/core's BATCH_NORM_KERNEL and BATCH_NORM_GRAD_KERNEL): in place of ~5 full-size tfjs
// ops forward and ~7 backward (each a kernel call, a pass over memory and a temporary), three
// passes forward and two backward. Per-channel sums are accumulated in float over blocks of rows
// and the block sums in double.
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels.h"

namespace clapjs {

namespace {

// Rows summed in float before their sums are added in double.
constexpr int64_t kBlock = 32;

// sums[j] (double) += Σ_rows f(r, j) for every channel j, f vectorised over j.
template <typename F>
void columnSums(int64_t rows, int64_t c, double* sums, F f) {
  std::vector<float> acc(c);
  float* __restrict a = acc.data();
  for (int64_t r0 = 0; r0 < rows; r0 += kBlock) {
    std::fill(acc.begin(), acc.end(), 0.0f);
    const int64_t r1 = std::min(rows, r0 + kBlock);
    for (int64_t r = r0; r < r1; r++)
      for (int64_t j = 0; j < c; j++) a[j] += f(r, j);
    for (int64_t j = 0; j < c; j++) sums[j] += a[j];
  }
}

template <bool kRelu>
__attribute__((target_clones("avx2", "default")))
void forward(const float* __restrict x, const float* __restrict gamma, const float* __restrict beta, float* __restrict y,
             float* __restrict mean, float* __restrict variance, float* __restrict invStd, int64_t rows, int64_t c,
             float epsilon) {
  std::vector<double> sum(c, 0.0);
  columnSums(rows, c, sum.data(), [&](int64_t r, int64_t j) { return x[r * c + j]; });
  for (int64_t j = 0; j < c; j++) mean[j] = static_cast<float>(sum[j] / rows);
  // The biased variance of the centred values (two passes: no cancellation).
  std::fill(sum.begin(), sum.end(), 0.0);
  columnSums(rows, c, sum.data(), [&](int64_t r, int64_t j) {
    const float d = x[r * c + j] - mean[j];
    return d * d;
  });
  std::vector<float> scale(c);
  float* __restrict s = scale.data();
  for (int64_t j = 0; j < c; j++) {
    variance[j] = static_cast<float>(sum[j] / rows);
    invStd[j] = 1.0f / std::sqrt(variance[j] + epsilon);
    s[j] = gamma[j] * invStd[j];
  }
  for (int64_t r = 0; r < rows; r++) {
    const float* __restrict row = x + r * c;
    float* __restrict out = y + r * c;
    for (int64_t j = 0; j < c; j++) {
      const float v = (row[j] - mean[j]) * s[j] + beta[j];
      out[j] = kRelu ? std::max(v, 0.0f) : v;
    }
  }
}

template <bool kRelu>
__attribute__((target_clones("avx2", "default")))
void backward(const float* __restrict dy, const float* __restrict x, const float* __restrict gamma,
              const float* __restrict mean, const float* __restrict invStd, const float* __restrict y,
              float* __restrict dx, float* __restrict dGamma, float* __restrict dBeta, int64_t rows, int64_t c) {
  // d = dy masked by ReLU (where y > 0); dβ = Σ d, and Σ d·(x − μ).
  const auto d = [&](int64_t i) {
    const float g = dy[i];  // loaded unconditionally, so that the select vectorises
    return kRelu ? (y[i] > 0.0f ? g : 0.0f) : g;
  };
  std::vector<double> sumD(c, 0.0), sumDC(c, 0.0);
  columnSums(rows, c, sumD.data(), [&](int64_t r, int64_t j) { return d(r * c + j); });
  columnSums(rows, c, sumDC.data(), [&](int64_t r, int64_t j) { return d(r * c + j) * (x[r * c + j] - mean[j]); });
  // dx = γ/σ · (d − mean(d) − x̂ · mean(d · x̂)), x̂ = (x − μ)/σ: dx = d·a + (x − μ)·b + k.
  std::vector<float> av(c), bv(c), kv(c);
  float *__restrict a = av.data(), *__restrict b = bv.data(), *__restrict k = kv.data();
  for (int64_t j = 0; j < c; j++) {
    dBeta[j] = static_cast<float>(sumD[j]);
    dGamma[j] = static_cast<float>(sumDC[j]) * invStd[j];
    a[j] = gamma[j] * invStd[j];
    b[j] = -a[j] * invStd[j] * invStd[j] * static_cast<float>(sumDC[j] / rows);
    k[j] = -a[j] * static_cast<float>(sumD[j] / rows);
  }
  for (int64_t r = 0; r < rows; r++)
    for (int64_t j = 0; j < c; j++) {
      const int64_t i = r * c + j;
      dx[i] = d(i) * a[j] + (x[i] - mean[j]) * b[j] + k[j];
    }
}

}  // namespace

void batchNormForward(const float* x, const float* gamma, const float* beta, float* y, float* mean,
                      float* variance, float* invStd, int64_t rows, int64_t c, float epsilon, bool relu) {
  (relu ? forward<true> : forward<false>)(x, gamma, beta, y, mean, variance, invStd, rows, c, epsilon);
}

void batchNormBackward(const float* dy, const float* x, const float* gamma, const float* mean, const float* invStd,
                       const float* y, float* dx, float* dGamma, float* dBeta, int64_t rows, int64_t c,
                       bool relu) {
  (relu ? backward<true> : backward<false>)(dy, x, gamma, mean, invStd, y, dx, dGamma, dBeta, rows, c);
}

}  // namespace clapjs
