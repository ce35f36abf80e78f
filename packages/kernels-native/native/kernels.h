// Shared declarations of the native kernel pack: oneDNN primitives cached by shape, run on
// caller-owned float32 buffers (views of tfjs-wasm's heap), synchronously.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include <oneapi/dnnl/dnnl.hpp>

namespace clapjs {

// A 2-D convolution's geometry in tfjs's terms (NHWC input, HWIO filter); dilation 1 = none.
struct ConvGeometry {
  int64_t n, h, w, c;        // input
  int64_t oh, ow, k;         // output height, width, channels
  int64_t kh, kw, sh, sw, dh, dw;
  int64_t top, left, bottom, right;
};

enum class ConvKind { Forward, BackwardData, BackwardWeights };

// Average pooling as tfjs's cpu backend computes it: the forward pass averages the in-bounds
// elements of each window, the gradient divides by the whole window (padding included).
enum class PoolKind { AvgForward, AvgBackward };

// How a convolution lays out its activations inside oneDNN: the user's NHWC directly, or the
// library's preferred (blocked) format with reorders around the primitive.
enum class ConvLayout { Direct, Any };

// One cached primitive and the buffers it needs between calls (reorder targets, scratchpad).
struct CachedOp {
  dnnl::primitive prim;
  // For each of the primitive's three tensors (two inputs, one output): the user's layout, the
  // primitive's layout, the DNNL_ARG_* it binds to, and a reorder + buffer when they differ.
  struct Slot {
    int arg = 0;
    dnnl::memory::desc user;
    dnnl::memory::desc inner;
    bool reorder = false;
    dnnl::memory buffer;
    dnnl::reorder convert;
  } in0, in1, out;
  dnnl::memory scratchpad;
  bool hasScratchpad = false;
};

// Primitives kept per addon instance; beyond this (many distinct shapes) the cache starts over.
constexpr size_t kMaxCached = 512;

// Work (floating-point operations) below which a call runs on the calling thread alone: waking
// OpenMP's team costs more than it saves, and far more when another process holds the other
// cores (a descheduled team member stalls the barrier for a whole time slice).
constexpr double kSmallWork = 1 << 23;

// Runs its scope with one OpenMP thread when `single`, restoring the caller's setting after.
class ThreadScope {
 public:
  explicit ThreadScope(bool single);
  ~ThreadScope();
 private:
  int saved_ = 0;
};

// Per-addon-instance state (one per Node environment: each worker_thread has its own).
class State {
 public:
  State();
  dnnl::engine engine;
  dnnl::stream stream;
  ConvLayout layout = ConvLayout::Direct;

  // Runs a convolution (forward: a = x, b = filter, c = y; backward data: a = dy, b = filter,
  // c = dx; backward weights: a = x, b = dy, c = dW).
  void conv(ConvKind kind, const ConvGeometry& g, float* a, float* b, float* c);

  // c[batch..., m, n] = op(a)[batch..., m, k] · op(b)[batch..., k, n]; batch dims broadcast
  // (each aBatch[i], bBatch[i] equal or 1).
  void matMul(const int64_t* aBatch, const int64_t* bBatch, int rank, int64_t m, int64_t n, int64_t k,
              bool transposeA, bool transposeB, float* a, float* b, float* c);

  // Average pooling over NHWC (geometry as for a convolution with k = c, dilation 1):
  // forward a = x, c = y; backward a = dy, c = dx.
  void pool(PoolKind kind, const ConvGeometry& g, float* a, float* c);

  size_t cacheSize() const { return cache_.size(); }
  void clearCache() { cache_.clear(); }

 private:
  CachedOp& convOp(ConvKind kind, const ConvGeometry& g);
  void run(CachedOp& op, float* a, float* b, float* c);
  // Adds a primitive to the cache (starting over beyond kMaxCached).
  CachedOp& remember(const std::string& key, std::unique_ptr<CachedOp> op);
  std::unordered_map<std::string, std::unique_ptr<CachedOp>> cache_;
};

// Fills a slot: the reorder (and buffer) exists only when the two layouts differ.
void prepareSlot(CachedOp::Slot& slot, int arg, const dnnl::memory::desc& user, const dnnl::memory::desc& inner,
                 bool isOutput, const dnnl::engine& engine);

// The float32 constants of one Adam/AdamW update (see adam.cc); l2 and lrTimesDecay are 0 when
// the variable is not decayed (or for the other kind).
struct AdamConstants {
  float scale, l2, beta1, oneMinusBeta1, beta2, oneMinusBeta2, c2, epsilon, lrOverC1, lrTimesDecay;
};

// One Adam/AdamW update of n elements: reads p, m0, v0, g0; writes pOut, mOut, vOut.
void adamUpdate(const float* p, const float* m0, const float* v0, const float* g0, float* pOut, float* mOut,
                float* vOut, int64_t n, const AdamConstants& c);

// GELU (erf form, erf as tfjs's Erf kernels approximate it) of n elements: y = 0.5·x·(1 + erf(x/√2)).
void gelu(const float* x, float* y, int64_t n);

// Its gradient: dx = dy·(0.5·(1 + erf(x/√2)) + x·e^(−x²/2)/√(2π)).
void geluGrad(const float* dy, const float* x, float* dx, int64_t n);

// Batch normalisation (+ ReLU when `relu`) of a [rows, c] matrix with the batch's statistics:
// writes y, and per channel the mean, the biased variance and 1/√(variance + ε).
void batchNormForward(const float* x, const float* gamma, const float* beta, float* y, float* mean,
                      float* variance, float* invStd, int64_t rows, int64_t c, float epsilon, bool relu);

// Its gradient from dy, x, γ, the forward pass's mean, 1/σ and y: writes dx, dγ, dβ.
void batchNormBackward(const float* dy, const float* x, const float* gamma, const float* mean, const float* invStd,
                       const float* y, float* dx, float* dGamma, float* dBeta, int64_t rows, int64_t c,
                       bool relu);

// Σ x² over n elements, in double (float partial sums over short blocks).
double sumOfSquares(const float* x, int64_t n);

}  // namespace clapjs
