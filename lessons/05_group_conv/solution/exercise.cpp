// lessons/05_group_conv/solution/exercise.cpp - reference answer to exercise 05; CI runs
// the same checker on it (test exercise_05_solution) so the exercise stays solvable.
#include "lessons/05_group_conv/exercise.h"

sl::Tensor group_conv_by_split(const sl::Tensor& x, const sl::Tensor& w,
                               const sl::Conv2dParams& p) {
  const int64_t G = p.groups, cg_in = x.size(1) / G, cg_out = w.size(0) / G;
  std::vector<sl::Tensor> outs;
  for (int64_t k = 0; k < G; ++k)
    outs.push_back(sl::conv2d(x.narrow(1, k * cg_in, cg_in), w.narrow(0, k * cg_out, cg_out),
                              {.stride = p.stride, .padding = p.padding, .groups = 1}));
  return sl::cat(outs, 1);
}

// hw * (c*m/g  +  9*m  +  m*c/g) = hw(2cm/g + 9m)
int64_t shufflenet_unit_madds(int64_t h, int64_t w, int64_t c, int64_t m, int64_t g) {
  return h * w * (2 * c * m / g + 9 * m);
}
