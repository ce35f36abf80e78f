// Batched matrix products through oneDNN's matmul primitive: transposed operands are plain
// strides (no copy), batch dimensions broadcast, primitives cached by shape.
#include <omp.h>

#include <sstream>

#include "kernels.h"

namespace clapjs {

using dnnl::memory;
using dt = dnnl::memory::data_type;

namespace {

// A row-major [batch..., rows, cols] buffer seen as the logical [batch..., r, c] operand, where
// the operand is the transpose of the stored matrix when `transposed` is set.
memory::desc operand(const int64_t* batch, int rank, int64_t r, int64_t c, bool transposed) {
  memory::dims dims(batch, batch + rank);
  dims.push_back(r);
  dims.push_back(c);
  memory::dims strides(rank + 2);
  strides[rank] = transposed ? 1 : c;
  strides[rank + 1] = transposed ? r : 1;
  int64_t step = r * c;
  for (int i = rank - 1; i >= 0; i--) {
    strides[i] = step;
    step *= batch[i];
  }
  return memory::desc(dims, dt::f32, strides);
}

}  // namespace

void State::matMul(const int64_t* aBatch, const int64_t* bBatch, int rank, int64_t m, int64_t n, int64_t k,
                   bool transposeA, bool transposeB, float* a, float* b, float* c) {
  double work = 2.0 * m * n * k;
  for (int i = 0; i < rank; i++) work *= aBatch[i] > bBatch[i] ? aBatch[i] : bBatch[i];
  ThreadScope scope(work < kSmallWork);
  std::ostringstream s;
  s << "matmul/" << omp_get_max_threads() << '/' << rank << ',' << m << ',' << n << ',' << k << ',' << transposeA << transposeB;
  for (int i = 0; i < rank; i++) s << ',' << aBatch[i] << 'x' << bBatch[i];
  const std::string key = s.str();
  auto found = cache_.find(key);
  if (found == cache_.end()) {
    memory::dims outBatch(rank);
    for (int i = 0; i < rank; i++) outBatch[i] = aBatch[i] > bBatch[i] ? aBatch[i] : bBatch[i];
    auto op = std::make_unique<CachedOp>();
    const memory::desc aDesc = operand(aBatch, rank, m, k, transposeA);
    const memory::desc bDesc = operand(bBatch, rank, k, n, transposeB);
    const memory::desc cDesc = operand(outBatch.data(), rank, m, n, false);
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(aDesc, bDesc, cDesc), attr, engine);
    op->prim = dnnl::matmul(pd);
    prepareSlot(op->in0, DNNL_ARG_SRC, aDesc, pd.src_desc(), false, engine);
    prepareSlot(op->in1, DNNL_ARG_WEIGHTS, bDesc, pd.weights_desc(), false, engine);
    prepareSlot(op->out, DNNL_ARG_DST, cDesc, pd.dst_desc(), true, engine);
    const memory::desc scratch = pd.scratchpad_desc();
    op->hasScratchpad = scratch.get_size() > 0;
    if (op->hasScratchpad) op->scratchpad = memory(scratch, engine);
    run(remember(key, std::move(op)), a, b, c);
    return;
  }
  run(*found->second, a, b, c);
}

}  // namespace clapjs
