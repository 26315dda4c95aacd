// lessons/11_shufflenet_v2/solution/exercise.cpp - reference answer to exercise 11; CI runs
// the same checker on it (test exercise_11_solution) so the exercise stays solvable.
#include "lessons/11_shufflenet_v2/exercise.h"

#include "nn/batchnorm.h"
#include "nn/conv2d.h"

using sl::Tensor;

static Tensor conv_bn(const Tensor& x, const ConvBn& l, const sl::Conv2dParams& p) {
  return sl::batch_norm(sl::conv2d(x, l.w, p), l.gamma, l.beta, l.mean, l.var, {.training = false});
}

static Tensor branch2(const Tensor& x, const V2UnitWeights& u) {
  const int64_t b = u.b2_dw.w.size(0);
  Tensor h = sl::relu(conv_bn(x, u.b2_pw1, {}));                             // 1x1 Conv, BN, ReLU
  h = conv_bn(h, u.b2_dw, {.stride = u.stride, .padding = 1, .groups = b});  // 3x3 DWConv, BN
  return sl::relu(conv_bn(h, u.b2_pw2, {}));                                 // 1x1 Conv, BN, ReLU
}

Tensor v2_unit(const Tensor& x, const V2UnitWeights& u) {
  Tensor out;
  if (u.stride == 1) {  // (c) Channel Split: two views, no copy
    const int64_t half = x.size(1) / 2;
    out = sl::cat({x.narrow(1, 0, half), branch2(x.narrow(1, half, half), u)}, 1);
  } else {  // (d) no split: both branches read all of x
    const int64_t c_in = x.size(1);
    Tensor left = conv_bn(x, u.b1_dw, {.stride = 2, .padding = 1, .groups = c_in});
    left = sl::relu(conv_bn(left, u.b1_pw, {}));
    out = sl::cat({left, branch2(x, u)}, 1);
  }
  return sl::channel_shuffle(out, 2);  // Concat, then Channel Shuffle
}
