// core/cuda/reduce.cu - sum, max and argmax over the middle dim of a contiguous
// [outer, n, inner] view, one thread per output element (sums in double, like the CPU).
// Not here: which dims to reduce or keepdim (core/ops_reduce.cpp); a tree reduction
// would be faster for huge n. Twin: core/cpu/reduce.cpp.
#include "core/cuda/cuda_check.h"
#include "core/cuda/kernels.h"

namespace sl::cuda {

namespace {

__global__ void reduce_kernel(ReduceOp op, float* out, const float* x, ReduceShape s) {
  for (int64_t e = first_index(); e < s.outer * s.inner; e += index_stride()) {
    int64_t o = e / s.inner, i = e % s.inner;
    const float* xo = x + o * s.n * s.inner + i;
    if (op == ReduceOp::sum) {
      double acc = 0.0;
      for (int64_t k = 0; k < s.n; ++k) acc += xo[k * s.inner];
      out[e] = (float)acc;
      continue;
    }
    float best = xo[0];
    int64_t arg = 0;
    for (int64_t k = 1; k < s.n; ++k) {  // first max wins; a NaN wins and stays
      float v = xo[k * s.inner];
      if (v > best || (v != v && best == best)) {
        best = v;
        arg = k;
      }
    }
    out[e] = op == ReduceOp::max ? best : (float)arg;
  }
}

}  // namespace

// x [outer, n, inner] -> out [outer, inner]
void reduce(ReduceOp op, float* out, const float* x, const ReduceShape& s) {
  int64_t n = s.outer * s.inner;
  if (n <= 0) return;
  reduce_kernel<<<grid_for(n), kThreads>>>(op, out, x, s);
  SL_CUDA_LAUNCHED("reduce_kernel");
}

}  // namespace sl::cuda
