// Average pooling and its gradient through oneDNN, NHWC at the boundary, cached by geometry.
#include <omp.h>

#include <sstream>

#include "kernels.h"

namespace clapjs {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

CachedOp& State::remember(const std::string& key, std::unique_ptr<CachedOp> op) {
  if (cache_.size() >= kMaxCached) cache_.clear();
  return *cache_.emplace(key, std::move(op)).first->second;
}

void State::pool(PoolKind kind, const ConvGeometry& g, float* a, float* c) {
  ThreadScope scope(static_cast<double>(g.n) * g.oh * g.ow * g.c * g.kh * g.kw < kSmallWork);
  std::ostringstream s;
  s << "pool" << static_cast<int>(kind) << '/' << omp_get_max_threads();
  for (int64_t v : {g.n, g.h, g.w, g.c, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.top, g.left, g.bottom, g.right})
    s << ',' << v;
  const std::string key = s.str();
  auto found = cache_.find(key);
  CachedOp* op;
  if (found != cache_.end()) {
    op = found->second.get();
  } else {
    const memory::desc src({g.n, g.c, g.h, g.w}, dt::f32, tag::nhwc);
    const memory::desc dst({g.n, g.c, g.oh, g.ow}, dt::f32, tag::nhwc);
    const memory::dims strides{g.sh, g.sw}, kernel{g.kh, g.kw}, padL{g.top, g.left}, padR{g.bottom, g.right};
    const auto algo = kind == PoolKind::AvgForward ? dnnl::algorithm::pooling_avg_exclude_padding
                                                   : dnnl::algorithm::pooling_avg_include_padding;
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    auto made = std::make_unique<CachedOp>();
    dnnl::pooling_forward::primitive_desc fwd(
        dnnl::pooling_forward::desc(dnnl::prop_kind::forward_training, algo, src, dst, strides, kernel, padL, padR),
        attr, engine);
    memory::desc scratch;
    if (kind == PoolKind::AvgForward) {
      made->prim = dnnl::pooling_forward(fwd);
      prepareSlot(made->in0, DNNL_ARG_SRC, src, fwd.src_desc(), false, engine);
      prepareSlot(made->out, DNNL_ARG_DST, dst, fwd.dst_desc(), true, engine);
      scratch = fwd.scratchpad_desc();
    } else {
      dnnl::pooling_backward::primitive_desc pd(
          dnnl::pooling_backward::desc(algo, src, dst, strides, kernel, padL, padR), attr, engine, fwd);
      made->prim = dnnl::pooling_backward(pd);
      prepareSlot(made->in0, DNNL_ARG_DIFF_DST, dst, pd.diff_dst_desc(), false, engine);
      prepareSlot(made->out, DNNL_ARG_DIFF_SRC, src, pd.diff_src_desc(), true, engine);
      scratch = pd.scratchpad_desc();
    }
    made->hasScratchpad = scratch.get_size() > 0;
    if (made->hasScratchpad) made->scratchpad = memory(scratch, engine);
    op = &remember(key, std::move(made));
  }
  run(*op, a, nullptr, c);
}

}  // namespace clapjs
