// The sum of squares behind the fused global norm (@clapjs/core's GLOBAL_NORM_KERNEL): one pass
// per tensor instead of a tfjs Square and Sum (two kernel calls and a temporary) per tensor.
#include <algorithm>

#include "kernels.h"

namespace clapjs {

__attribute__((target_clones("avx2", "default")))
double sumOfSquares(const float* __restrict x, int64_t n) {
  // 8 float lanes over blocks of 256 elements (32 adds per lane), the block sums in double.
  double total = 0;
  for (int64_t b0 = 0; b0 < n; b0 += 256) {
    const int64_t b1 = std::min(n, b0 + 256);
    float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t i = b0;
    for (; i + 8 <= b1; i += 8)
      for (int k = 0; k < 8; k++) lane[k] += x[i + k] * x[i + k];
    for (; i < b1; i++) lane[0] += x[i] * x[i];
    for (int k = 0; k < 8; k++) total += lane[k];
  }
  return total;
}

}  // namespace clapjs
