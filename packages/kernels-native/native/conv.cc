// Convolutions through oneDNN: forward, backward data and backward weights, NHWC / HWIO at the
// boundary (tfjs's layouts), primitives cached by geometry.
#include <omp.h>

#include <sstream>

#include "kernels.h"

namespace clapjs {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

State::State() : engine(dnnl::engine::kind::cpu, 0), stream(engine) {}

void prepareSlot(CachedOp::Slot& slot, int arg, const memory::desc& user, const memory::desc& inner,
                 bool isOutput, const dnnl::engine& engine) {
  slot.arg = arg;
  slot.user = user;
  slot.inner = inner;
  slot.reorder = user != inner;
  if (!slot.reorder) return;
  slot.buffer = memory(inner, engine);
  // The reorder converts user → inner for inputs, inner → user for the output.
  slot.convert = isOutput ? dnnl::reorder(dnnl::reorder::primitive_desc(engine, inner, engine, user))
                          : dnnl::reorder(dnnl::reorder::primitive_desc(engine, user, engine, inner));
}

namespace {

std::string key(ConvKind kind, ConvLayout layout, const ConvGeometry& g) {
  std::ostringstream s;
  // oneDNN splits work for the thread count at creation time: one primitive per count.
  s << "conv" << static_cast<int>(kind) << '/' << static_cast<int>(layout) << '/' << omp_get_max_threads();
  for (int64_t v : {g.n, g.h, g.w, g.c, g.oh, g.ow, g.k, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.top, g.left,
                    g.bottom, g.right})
    s << ',' << v;
  return s.str();
}

}  // namespace

CachedOp& State::convOp(ConvKind kind, const ConvGeometry& g) {
  const std::string k = key(kind, layout, g);
  auto found = cache_.find(k);
  if (found != cache_.end()) return *found->second;

  // oneDNN's logical dims are N, C, H, W and O, I, H, W; the tags say how they sit in memory.
  const memory::dims src{g.n, g.c, g.h, g.w};
  const memory::dims wei{g.k, g.c, g.kh, g.kw};
  const memory::dims dst{g.n, g.k, g.oh, g.ow};
  const memory::dims strides{g.sh, g.sw};
  const memory::dims dilates{g.dh - 1, g.dw - 1};  // oneDNN counts dilation from 0
  const memory::dims padL{g.top, g.left};
  const memory::dims padR{g.bottom, g.right};
  const memory::desc srcUser(src, dt::f32, tag::nhwc);
  const memory::desc weiUser(wei, dt::f32, tag::hwio);
  const memory::desc dstUser(dst, dt::f32, tag::nhwc);
  const tag act = layout == ConvLayout::Direct ? tag::nhwc : tag::any;
  const memory::desc srcAny(src, dt::f32, act);
  const memory::desc weiAny(wei, dt::f32, tag::any);
  const memory::desc dstAny(dst, dt::f32, act);

  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  const auto algo = dnnl::algorithm::convolution_direct;
  auto op = std::make_unique<CachedOp>();
  // The forward primitive descriptor is also the hint the backward ones need.
  dnnl::convolution_forward::desc fwdDesc(dnnl::prop_kind::forward_training, algo, srcAny, weiAny, dstAny, strides,
                                           dilates, padL, padR);
  dnnl::convolution_forward::primitive_desc fwd(fwdDesc, attr, engine);
  memory::desc scratch;
  if (kind == ConvKind::Forward) {
    op->prim = dnnl::convolution_forward(fwd);
    prepareSlot(op->in0, DNNL_ARG_SRC, srcUser, fwd.src_desc(), false, engine);
    prepareSlot(op->in1, DNNL_ARG_WEIGHTS, weiUser, fwd.weights_desc(), false, engine);
    prepareSlot(op->out, DNNL_ARG_DST, dstUser, fwd.dst_desc(), true, engine);
    scratch = fwd.scratchpad_desc();
  } else if (kind == ConvKind::BackwardData) {
    dnnl::convolution_backward_data::desc d(algo, srcAny, weiAny, dstAny, strides, dilates, padL, padR);
    dnnl::convolution_backward_data::primitive_desc pd(d, attr, engine, fwd);
    op->prim = dnnl::convolution_backward_data(pd);
    prepareSlot(op->in0, DNNL_ARG_DIFF_DST, dstUser, pd.diff_dst_desc(), false, engine);
    prepareSlot(op->in1, DNNL_ARG_WEIGHTS, weiUser, pd.weights_desc(), false, engine);
    prepareSlot(op->out, DNNL_ARG_DIFF_SRC, srcUser, pd.diff_src_desc(), true, engine);
    scratch = pd.scratchpad_desc();
  } else {
    dnnl::convolution_backward_weights::desc d(algo, srcAny, weiAny, dstAny, strides, dilates, padL, padR);
    dnnl::convolution_backward_weights::primitive_desc pd(d, attr, engine, fwd);
    op->prim = dnnl::convolution_backward_weights(pd);
    prepareSlot(op->in0, DNNL_ARG_SRC, srcUser, pd.src_desc(), false, engine);
    prepareSlot(op->in1, DNNL_ARG_DIFF_DST, dstUser, pd.diff_dst_desc(), false, engine);
    prepareSlot(op->out, DNNL_ARG_DIFF_WEIGHTS, weiUser, pd.diff_weights_desc(), true, engine);
    scratch = pd.scratchpad_desc();
  }
  op->hasScratchpad = scratch.get_size() > 0;
  if (op->hasScratchpad) op->scratchpad = memory(scratch, engine);
  return remember(k, std::move(op));
}

void State::run(CachedOp& op, float* a, float* b, float* c) {
  std::unordered_map<int, memory> args;
  auto bindInput = [&](CachedOp::Slot& slot, float* data) {
    memory user(slot.user, engine, data);
    if (slot.reorder) {
      slot.convert.execute(stream, user, slot.buffer);
      args.emplace(slot.arg, slot.buffer);
    } else {
      args.emplace(slot.arg, user);
    }
  };
  bindInput(op.in0, a);
  if (op.in1.arg != 0) bindInput(op.in1, b);  // pooling has one input
  memory out(op.out.user, engine, c);
  args.emplace(op.out.arg, op.out.reorder ? op.out.buffer : out);
  if (op.hasScratchpad) args.emplace(DNNL_ARG_SCRATCHPAD, op.scratchpad);
  op.prim.execute(stream, args);
  if (op.out.reorder) op.out.convert.execute(stream, op.out.buffer, out);
  stream.wait();
}

ThreadScope::ThreadScope(bool single) {
  if (!single) return;
  saved_ = omp_get_max_threads();
  omp_set_num_threads(1);
}

ThreadScope::~ThreadScope() {
  if (saved_ > 0) omp_set_num_threads(saved_);
}

void State::conv(ConvKind kind, const ConvGeometry& g, float* a, float* b, float* c) {
  const double work = 2.0 * g.n * g.oh * g.ow * g.k * g.kh * g.kw * g.c;
  ThreadScope scope(work < kSmallWork);
  run(convOp(kind, g), a, b, c);
}

}  // namespace clapjs
