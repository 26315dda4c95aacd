// lessons/11_shufflenet_v2/exercise.h - exercise 11: the ShuffleNet V2 unit (paper Fig. 3
// (c) and (d)) written by you from core ops and nn's conv2d and batch_norm. Implement it in
// lessons/11_shufflenet_v2/exercise.cpp; `make check-exercise N=11` runs it with the weights
// of real units of built models and compares with the model's own unit.
// Reference: lessons/11_shufflenet_v2/solution/exercise.cpp.
#pragma once
#include "core/tensor.h"

// A convolution's weight and the BatchNorm after it (eval mode: running statistics,
// eps = 1e-5): bn(y) = (y - mean) / sqrt(var + eps) * gamma + beta, per channel.
struct ConvBn {
  sl::Tensor w;                       // [C_out, C_in/G, K, K]
  sl::Tensor gamma, beta, mean, var;  // [C_out] each
};

struct V2UnitWeights {
  // branch1, stride 2 only (undefined tensors with stride 1):
  ConvBn b1_dw;  // 3x3 depthwise on c_in channels, stride 2, padding 1, BN (no ReLU)
  ConvBn b1_pw;  // 1x1 c_in -> b, BN, ReLU
  // branch2:
  ConvBn b2_pw1;       // 1x1 (c_in -> b with stride 2, b -> b with stride 1), BN, ReLU
  ConvBn b2_dw;        // 3x3 depthwise on b channels, stride = stride, padding 1, BN (no ReLU)
  ConvBn b2_pw2;       // 1x1 b -> b, BN, ReLU
  int64_t stride = 1;  // 1: Fig. 3 (c); 2: Fig. 3 (d)
};

// x [N, c_in, H, W] -> [N, 2b, H/stride, W/stride], b = the branches' width:
//   stride 1: x1, x2 = the first and second half of x's channels;
//             out = cat(x1, branch2(x2))
//   stride 2: out = cat(branch1(x), branch2(x))
//   then channel_shuffle(out, 2).
sl::Tensor v2_unit(const sl::Tensor& x, const V2UnitWeights& u);
