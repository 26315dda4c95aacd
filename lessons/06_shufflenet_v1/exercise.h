// lessons/06_shufflenet_v1/exercise.h - exercise 06: the ShuffleNet V1 unit (paper Fig. 2
// (b) and (c)) written by you from core ops and nn's conv2d, batch_norm and avg_pool2d.
// Implement it in lessons/06_shufflenet_v1/exercise.cpp; `make check-exercise N=06` runs
// it with the weights of real units of a built model and compares with the model's own
// unit. Reference: lessons/06_shufflenet_v1/solution/exercise.cpp.
#pragma once
#include "core/tensor.h"

// A convolution's weight and the BatchNorm after it (eval mode: running statistics,
// eps = 1e-5): bn(y) = (y - mean) / sqrt(var + eps) * gamma + beta, per channel.
struct ConvBn {
  sl::Tensor w;                       // [C_out, C_in/G, K, K]
  sl::Tensor gamma, beta, mean, var;  // [C_out] each
};

struct V1UnitWeights {
  ConvBn gconv1;  // 1x1, c_in -> m, groups = groups1
  ConvBn dwconv;  // 3x3 depthwise, m -> m, stride = stride, padding 1
  ConvBn gconv2;  // 1x1, m -> c_out' (c_out with stride 1, c_out - c_in with stride 2), groups =
                  // groups
  int64_t stride = 1;  // 1: Fig. 2 (b); 2: Fig. 2 (c)
  int64_t groups =
      1;  // g of the model; also the channel shuffle's groups (shuffle only when g > 1)
  int64_t groups1 = 1;  // groups of gconv1 (= groups, except in stage 2's first unit)
};

// x [N, c_in, H, W] -> [N, c_out, H/stride, W/stride]:
//   h = ReLU(bn1(gconv1(x)));  h = channel_shuffle(h, groups) when groups > 1;
//   h = bn2(dwconv(h)) (no ReLU);  h = bn3(gconv2(h));
//   stride 1: ReLU(x + h);  stride 2: ReLU(cat(avg_pool 3x3 stride 2 padding 1 (x), h)).
sl::Tensor v1_unit(const sl::Tensor& x, const V1UnitWeights& u);
