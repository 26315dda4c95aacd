// lessons/06_shufflenet_v1/solution/exercise.cpp - reference answer to exercise 06; CI
// runs the same checker on it (test exercise_06_solution) so the exercise stays solvable.
#include "lessons/06_shufflenet_v1/exercise.h"

#include "nn/batchnorm.h"
#include "nn/conv2d.h"
#include "nn/pool.h"

using sl::Tensor;

static Tensor conv_bn(const Tensor& x, const ConvBn& l, const sl::Conv2dParams& p) {
  return sl::batch_norm(sl::conv2d(x, l.w, p), l.gamma, l.beta, l.mean, l.var, {.training = false});
}

Tensor v1_unit(const Tensor& x, const V1UnitWeights& u) {
  const int64_t m = u.dwconv.w.size(0);
  Tensor h = sl::relu(conv_bn(x, u.gconv1, {.groups = u.groups1}));           // 1x1 GConv, BN, ReLU
  if (u.groups > 1) h = sl::channel_shuffle(h, u.groups);                     // Channel Shuffle
  h = conv_bn(h, u.dwconv, {.stride = u.stride, .padding = 1, .groups = m});  // 3x3 DWConv, BN
  h = conv_bn(h, u.gconv2, {.groups = u.groups});                             // 1x1 GConv, BN
  if (u.stride == 1) return sl::relu(sl::add(x, h));                          // (b) Add, ReLU
  const Tensor shortcut = sl::avg_pool2d(x, {.kernel = 3, .stride = 2, .padding = 1});
  return sl::relu(sl::cat({shortcut, h}, 1));  // (c) Concat, ReLU
}
