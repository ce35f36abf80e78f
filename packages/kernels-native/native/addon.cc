// The Node-API surface of the native kernel pack. Every call is synchronous and computes into a
// caller-owned Float32Array (a view of tfjs-wasm's heap): no copies, no async work, so the views
// stay valid for the whole call.
#include <omp.h>

#include <napi.h>

#include "kernels.h"

namespace {

using clapjs::ConvGeometry;
using clapjs::ConvKind;

// Size-checked pointer into a Float32Array argument (a wrong size would read or write past it).
float* floats(const Napi::CallbackInfo& info, size_t index, int64_t expected, const char* name) {
  if (!info[index].IsTypedArray() || info[index].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a Float32Array");
  auto view = info[index].As<Napi::Float32Array>();
  if (static_cast<int64_t>(view.ElementLength()) != expected)
    throw Napi::RangeError::New(info.Env(), std::string(name) + " has " + std::to_string(view.ElementLength()) +
                                                " elements, expected " + std::to_string(expected));
  return view.Data();
}

int64_t integer(const Napi::CallbackInfo& info, size_t index) {
  if (!info[index].IsNumber()) throw Napi::TypeError::New(info.Env(), "expected a number");
  return info[index].As<Napi::Number>().Int64Value();
}

std::vector<int64_t> integers(const Napi::CallbackInfo& info, size_t index) {
  if (!info[index].IsArray()) throw Napi::TypeError::New(info.Env(), "expected an array of numbers");
  auto array = info[index].As<Napi::Array>();
  std::vector<int64_t> out(array.Length());
  for (uint32_t i = 0; i < array.Length(); i++) {
    Napi::Value v = array.Get(i);
    if (!v.IsNumber()) throw Napi::TypeError::New(info.Env(), "expected an array of numbers");
    out[i] = v.As<Napi::Number>().Int64Value();
    if (out[i] < 0) throw Napi::RangeError::New(info.Env(), "negative size");
  }
  return out;
}

const char* isaName(dnnl::cpu_isa isa) {
  switch (isa) {
    case dnnl::cpu_isa::sse41: return "sse41";
    case dnnl::cpu_isa::avx: return "avx";
    case dnnl::cpu_isa::avx2: return "avx2";
    case dnnl::cpu_isa::avx2_vnni: return "avx2_vnni";
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
    default: return "other";
  }
}

class NativeKernels : public Napi::Addon<NativeKernels> {
 public:
  NativeKernels(Napi::Env env, Napi::Object exports) {
    DefineAddon(exports, {
                             InstanceMethod("conv2d", &NativeKernels::Conv2d),
                             InstanceMethod("matMul", &NativeKernels::MatMul),
                             InstanceMethod("avgPool", &NativeKernels::AvgPool),
                             InstanceMethod("adamUpdate", &NativeKernels::AdamUpdate),
                             InstanceMethod("gelu", &NativeKernels::Gelu),
                             InstanceMethod("batchNorm", &NativeKernels::BatchNorm),
                             InstanceMethod("sumOfSquares", &NativeKernels::SumOfSquares),
                             InstanceMethod("batchNormGrad", &NativeKernels::BatchNormGrad),
                             InstanceMethod("setThreads", &NativeKernels::SetThreads),
                             InstanceMethod("threads", &NativeKernels::Threads),
                             InstanceMethod("setLayout", &NativeKernels::SetLayout),
                             InstanceMethod("cacheSize", &NativeKernels::CacheSize),
                             InstanceMethod("clearCache", &NativeKernels::ClearCache),
                             InstanceMethod("info", &NativeKernels::Info),
                         });
  }

 private:
  clapjs::State state_;

  // Wraps oneDNN's exceptions as JS errors that name the status (e.g. unimplemented).
  template <typename F>
  Napi::Value guarded(const Napi::CallbackInfo& info, F body) {
    try {
      body();
    } catch (const dnnl::error& e) {
      throw Napi::Error::New(info.Env(), std::string("oneDNN: ") + e.what() + " (status " +
                                             std::to_string(static_cast<int>(e.status)) + ")");
    }
    return info.Env().Undefined();
  }

  // conv2d(kind 0 forward | 1 backward data | 2 backward weights, a, b, c, geometry[17])
  Napi::Value Conv2d(const Napi::CallbackInfo& info) {
    const auto kind = static_cast<ConvKind>(integer(info, 0));
    const auto v = integers(info, 4);
    if (v.size() != 17) throw Napi::TypeError::New(info.Env(), "geometry must have 17 entries");
    const ConvGeometry g{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8],
                         v[9], v[10], v[11], v[12], v[13], v[14], v[15], v[16]};
    const int64_t x = g.n * g.h * g.w * g.c, y = g.n * g.oh * g.ow * g.k, w = g.kh * g.kw * g.c * g.k;
    float *a, *b, *c;
    if (kind == ConvKind::Forward) {
      a = floats(info, 1, x, "x"), b = floats(info, 2, w, "filter"), c = floats(info, 3, y, "y");
    } else if (kind == ConvKind::BackwardData) {
      a = floats(info, 1, y, "dy"), b = floats(info, 2, w, "filter"), c = floats(info, 3, x, "dx");
    } else if (kind == ConvKind::BackwardWeights) {
      a = floats(info, 1, x, "x"), b = floats(info, 2, y, "dy"), c = floats(info, 3, w, "dw");
    } else {
      throw Napi::RangeError::New(info.Env(), "unknown convolution kind");
    }
    return guarded(info, [&] { state_.conv(kind, g, a, b, c); });
  }

  // avgPool(kind 0 forward | 1 backward, a, c, geometry[17]) (k = c, dilation 1)
  Napi::Value AvgPool(const Napi::CallbackInfo& info) {
    const int64_t kind = integer(info, 0);
    const auto v = integers(info, 3);
    if (v.size() != 17 || v[6] != v[3] || v[11] != 1 || v[12] != 1)
      throw Napi::TypeError::New(info.Env(), "pooling geometry must have 17 entries, k = c and dilation 1");
    const ConvGeometry g{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8],
                         v[9], v[10], v[11], v[12], v[13], v[14], v[15], v[16]};
    const int64_t x = g.n * g.h * g.w * g.c, y = g.n * g.oh * g.ow * g.c;
    if (kind != 0 && kind != 1) throw Napi::RangeError::New(info.Env(), "unknown pooling kind");
    float* a = kind == 0 ? floats(info, 1, x, "x") : floats(info, 1, y, "dy");
    float* c = kind == 0 ? floats(info, 2, y, "y") : floats(info, 2, x, "dx");
    const auto k = kind == 0 ? clapjs::PoolKind::AvgForward : clapjs::PoolKind::AvgBackward;
    return guarded(info, [&] { state_.pool(k, g, a, c); });
  }

  // matMul(a, b, c, aBatch[], bBatch[], m, n, k, transposeA, transposeB)
  Napi::Value MatMul(const Napi::CallbackInfo& info) {
    const auto aBatch = integers(info, 3), bBatch = integers(info, 4);
    const int64_t m = integer(info, 5), n = integer(info, 6), k = integer(info, 7);
    const bool ta = info[8].ToBoolean(), tb = info[9].ToBoolean();
    if (aBatch.size() != bBatch.size() || aBatch.size() > 10)
      throw Napi::RangeError::New(info.Env(), "batch ranks must be equal and at most 10");
    int64_t na = 1, nb = 1, nc = 1;
    for (size_t i = 0; i < aBatch.size(); i++) {
      if (aBatch[i] != bBatch[i] && aBatch[i] != 1 && bBatch[i] != 1)
        throw Napi::RangeError::New(info.Env(), "batch dimensions do not broadcast");
      na *= aBatch[i], nb *= bBatch[i], nc *= std::max(aBatch[i], bBatch[i]);
    }
    float* a = floats(info, 0, na * m * k, "a");
    float* b = floats(info, 1, nb * k * n, "b");
    float* c = floats(info, 2, nc * m * n, "c");
    return guarded(info, [&] {
      state_.matMul(aBatch.data(), bBatch.data(), static_cast<int>(aBatch.size()), m, n, k, ta, tb, a, b, c);
    });
  }

  // adamUpdate(p, m, v, g, pOut, mOut, vOut, constants: Float32Array(10)): see clapjs::AdamConstants.
  Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
    if (!info[0].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "p must be a Float32Array");
    const int64_t n = static_cast<int64_t>(info[0].As<Napi::TypedArray>().ElementLength());
    const char* names[] = {"p", "m", "v", "g", "pOut", "mOut", "vOut"};
    float* t[7];
    for (size_t i = 0; i < 7; i++) t[i] = floats(info, i, n, names[i]);
    const float* k = floats(info, 7, 10, "constants");
    const clapjs::AdamConstants c{k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8], k[9]};
    clapjs::adamUpdate(t[0], t[1], t[2], t[3], t[4], t[5], t[6], n, c);
    return info.Env().Undefined();
  }

  // gelu(0, x, y) forward; gelu(1, x, dx, dy) gradient. Every array has x's length.
  Napi::Value Gelu(const Napi::CallbackInfo& info) {
    const int64_t kind = integer(info, 0);
    if (kind != 0 && kind != 1) throw Napi::RangeError::New(info.Env(), "unknown GELU kind");
    if (!info[1].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "x must be a Float32Array");
    const int64_t n = static_cast<int64_t>(info[1].As<Napi::TypedArray>().ElementLength());
    const float* x = floats(info, 1, n, "x");
    float* out = floats(info, 2, n, kind == 0 ? "y" : "dx");
    if (kind == 0)
      clapjs::gelu(x, out, n);
    else
      clapjs::geluGrad(floats(info, 3, n, "dy"), x, out, n);
    return info.Env().Undefined();
  }

  // sumOfSquares(arrays: Float32Array[]): Σ over every element of every array of x², in double.
  Napi::Value SumOfSquares(const Napi::CallbackInfo& info) {
    if (!info[0].IsArray()) throw Napi::TypeError::New(info.Env(), "expected an array of Float32Arrays");
    auto list = info[0].As<Napi::Array>();
    double total = 0;
    for (uint32_t i = 0; i < list.Length(); i++) {
      Napi::Value v = list.Get(i);
      if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
        throw Napi::TypeError::New(info.Env(), "expected an array of Float32Arrays");
      auto a = v.As<Napi::Float32Array>();
      total += clapjs::sumOfSquares(a.Data(), static_cast<int64_t>(a.ElementLength()));
    }
    return Napi::Number::New(info.Env(), total);
  }

  // batchNorm(x, gamma, beta, y, mean, variance, invStd, rows, c, epsilon, relu)
  Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
    const int64_t rows = integer(info, 7), c = integer(info, 8);
    if (rows < 1 || c < 1) throw Napi::RangeError::New(info.Env(), "rows and channels must be at least 1");
    const float* x = floats(info, 0, rows * c, "x");
    const float* gamma = floats(info, 1, c, "gamma");
    const float* beta = floats(info, 2, c, "beta");
    float* y = floats(info, 3, rows * c, "y");
    float* mean = floats(info, 4, c, "mean");
    float* variance = floats(info, 5, c, "variance");
    float* invStd = floats(info, 6, c, "invStd");
    if (!info[9].IsNumber()) throw Napi::TypeError::New(info.Env(), "epsilon must be a number");
    const float epsilon = info[9].As<Napi::Number>().FloatValue();
    clapjs::batchNormForward(x, gamma, beta, y, mean, variance, invStd, rows, c, epsilon, info[10].ToBoolean());
    return info.Env().Undefined();
  }

  // batchNormGrad(dy, x, gamma, mean, invStd, y, dx, dGamma, dBeta, rows, c, relu)
  Napi::Value BatchNormGrad(const Napi::CallbackInfo& info) {
    const int64_t rows = integer(info, 9), c = integer(info, 10);
    if (rows < 1 || c < 1) throw Napi::RangeError::New(info.Env(), "rows and channels must be at least 1");
    const float* dy = floats(info, 0, rows * c, "dy");
    const float* x = floats(info, 1, rows * c, "x");
    const float* gamma = floats(info, 2, c, "gamma");
    const float* mean = floats(info, 3, c, "mean");
    const float* invStd = floats(info, 4, c, "invStd");
    const float* y = floats(info, 5, rows * c, "y");
    float* dx = floats(info, 6, rows * c, "dx");
    float* dGamma = floats(info, 7, c, "dGamma");
    float* dBeta = floats(info, 8, c, "dBeta");
    clapjs::batchNormBackward(dy, x, gamma, mean, invStd, y, dx, dGamma, dBeta, rows, c, info[11].ToBoolean());
    return info.Env().Undefined();
  }

  // omp_set_num_threads applies to parallel regions started by the calling thread only: each
  // worker_thread (its own addon instance) sets its own.
  Napi::Value SetThreads(const Napi::CallbackInfo& info) {
    const int64_t n = integer(info, 0);
    if (n < 1) throw Napi::RangeError::New(info.Env(), "threads must be at least 1");
    omp_set_num_threads(static_cast<int>(n));
    return Napi::Number::New(info.Env(), omp_get_max_threads());
  }

  Napi::Value Threads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), omp_get_max_threads()); }

  Napi::Value SetLayout(const Napi::CallbackInfo& info) {
    const std::string name = info[0].ToString();
    if (name != "direct" && name != "any") throw Napi::RangeError::New(info.Env(), "layout must be direct or any");
    state_.layout = name == "direct" ? clapjs::ConvLayout::Direct : clapjs::ConvLayout::Any;
    return info.Env().Undefined();
  }

  Napi::Value CacheSize(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(state_.cacheSize()));
  }

  Napi::Value ClearCache(const Napi::CallbackInfo& info) {
    state_.clearCache();
    return info.Env().Undefined();
  }

  Napi::Value Info(const Napi::CallbackInfo& info) {
    const dnnl::version_t* v = dnnl::version();
    auto out = Napi::Object::New(info.Env());
    out.Set("version", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
    out.Set("isa", isaName(dnnl::get_effective_cpu_isa()));
    out.Set("runtime", "OpenMP");
    out.Set("threads", omp_get_max_threads());
    return out;
  }
};

}  // namespace

NODE_API_ADDON(NativeKernels)
