// Adam/AdamW for one variable in one pass (@clapjs/core's ADAM_UPDATE_KERNEL): in place of the
// ~15 tfjs ops (each a kernel call and a full-size temporary) the trainer's optimizer runs
// otherwise. Every operation is a float32 operation, in the order those ops run, and the build
// contracts none into a fused multiply-add, so the result is the same bit for bit.
#include "kernels.h"

#include <cmath>

namespace clapjs {

namespace {

template <bool kScaled, bool kL2, bool kDecoupled>
void adamLoop(const float* p, const float* m0, const float* v0, const float* g0, float* pOut, float* mOut,
              float* vOut, int64_t n, const AdamConstants& c) {
#pragma GCC ivdep
  for (int64_t i = 0; i < n; i++) {
    const float pi = p[i];
    float g = kScaled ? g0[i] * c.scale : g0[i];
    if (kL2) g = g + pi * c.l2;
    const float m = m0[i] * c.beta1 + g * c.oneMinusBeta1;
    const float v = v0[i] * c.beta2 + (g * g) * c.oneMinusBeta2;
    mOut[i] = m;
    vOut[i] = v;
    const float step = (m * c.lrOverC1) / (std::sqrt(v / c.c2) + c.epsilon);
    const float next = pi - step;
    pOut[i] = kDecoupled ? next - pi * c.lrTimesDecay : next;
  }
}

}  // namespace

void adamUpdate(const float* p, const float* m0, const float* v0, const float* g0, float* pOut, float* mOut,
                float* vOut, int64_t n, const AdamConstants& c) {
  const bool scaled = c.scale != 1.0f, l2 = c.l2 != 0.0f, decoupled = c.lrTimesDecay != 0.0f;
  // One instantiation per case keeps the loop free of branches (and vectorisable).
  if (l2)
    scaled ? adamLoop<true, true, false>(p, m0, v0, g0, pOut, mOut, vOut, n, c)
           : adamLoop<false, true, false>(p, m0, v0, g0, pOut, mOut, vOut, n, c);
  else if (decoupled)
    scaled ? adamLoop<true, false, true>(p, m0, v0, g0, pOut, mOut, vOut, n, c)
           : adamLoop<false, false, true>(p, m0, v0, g0, pOut, mOut, vOut, n, c);
  else
    scaled ? adamLoop<true, false, false>(p, m0, v0, g0, pOut, mOut, vOut, n, c)
           : adamLoop<false, false, false>(p, m0, v0, g0, pOut, mOut, vOut, n, c);
}

}  // namespace clapjs
