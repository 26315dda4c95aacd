// core/cpu/reduce.cpp - sum, max and argmax over the middle dim of a contiguous
// [outer, n, inner] view. Sums accumulate in double so long reductions stay exact
// enough for gradient checks. Twin: core/cuda/reduce.cu. Not here: which dims to
// reduce or keepdim (core/ops_reduce.cpp).
#include <vector>

#include "core/cpu/kernels.h"

namespace sl::cpu {

// x [outer, n, inner] -> out [outer, inner]
void reduce(ReduceOp op, float* out, const float* x, const ReduceShape& s) {
  const int64_t outer = s.outer, n = s.n, inner = s.inner;
#pragma omp parallel for if (outer * n * inner > (1 << 15)) schedule(static)
  for (int64_t o = 0; o < outer; ++o) {
    const float* xo = x + o * n * inner;
    float* oo = out + o * inner;
    if (op == ReduceOp::sum && inner == 1) {  // e.g. global average pool: one sum per row
      double acc = 0.0;
      for (int64_t k = 0; k < n; ++k) acc += xo[k];
      oo[0] = (float)acc;
    } else if (op == ReduceOp::sum) {
      thread_local std::vector<double> acc;
      acc.assign(inner, 0.0);
      for (int64_t k = 0; k < n; ++k)
        for (int64_t i = 0; i < inner; ++i) acc[i] += xo[k * inner + i];
      for (int64_t i = 0; i < inner; ++i) oo[i] = (float)acc[i];
    } else {
      for (int64_t i = 0; i < inner; ++i) {
        float best = xo[i];
        int64_t arg = 0;
        for (int64_t k = 1; k < n; ++k) {  // first max wins; a NaN wins and stays
          float v = xo[k * inner + i];
          if (v > best || (v != v && best == best)) {
            best = v;
            arg = k;
          }
        }
        oo[i] = op == ReduceOp::max ? best : (float)arg;
      }
    }
  }
}

}  // namespace sl::cpu
