// lessons/02_tensors/solution/exercise.cpp - reference answer to exercise 02; CI runs the
// same checker on it (test exercise_02_solution) so the exercise stays solvable.
#include "lessons/02_tensors/exercise.h"

sl::Shape contiguous_strides(const sl::Shape& shape) {
  sl::Shape st(shape.size());
  int64_t step = 1;
  for (int64_t d = (int64_t)shape.size() - 1; d >= 0; --d) {
    st[d] = step;
    step *= shape[d];
  }
  return st;
}

std::vector<float> gather_strided(const sl::Tensor& x) {
  const float* base = x.data() - x.offset();  // data() already points at the offset
  const int64_t nd = x.dim();
  std::vector<float> out;
  out.reserve(x.numel());
  if (x.numel() == 0) return out;
  std::vector<int64_t> idx(nd, 0);  // an odometer over the shape, last dim fastest
  for (int64_t i = 0; i < x.numel(); ++i) {
    int64_t at = x.offset();
    for (int64_t d = 0; d < nd; ++d) at += idx[d] * x.strides()[d];
    out.push_back(base[at]);
    for (int64_t d = nd - 1; d >= 0; --d) {
      if (++idx[d] < x.shape()[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}
