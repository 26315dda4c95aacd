// lessons/05_group_conv/exercise.h - exercise 05: group convolution as g ordinary
// convolutions, and the ShuffleNet unit's cost formula. Implement both in
// lessons/05_group_conv/exercise.cpp; `make check-exercise N=05` compares them with
// sl::conv2d(..., {.groups = g}) and with multiply-adds measured by nn/cost.
// Reference: lessons/05_group_conv/solution/exercise.cpp.
#pragma once
#include "core/tensor.h"
#include "nn/conv2d.h"

// x [N, C_in, H, W], w [C_out, C_in/G, K, K] -> the same output as
// sl::conv2d(x, w, {.stride = p.stride, .padding = p.padding, .groups = p.groups}), but
// computed as p.groups separate convolutions with groups = 1: group k takes input
// channels [k*C_in/G, (k+1)*C_in/G) and weight rows [k*C_out/G, (k+1)*C_out/G), and the
// g outputs are concatenated along channels. Use Tensor::narrow, sl::conv2d and sl::cat,
// so that autograd gives the gradient too.
sl::Tensor group_conv_by_split(const sl::Tensor& x, const sl::Tensor& w, const sl::Conv2dParams& p);

// Multiply-adds of the ShuffleNet bottleneck at an h x w feature map: 1x1 group conv
// c -> m (g groups), 3x3 depthwise conv m -> m (stride 1, padding 1), 1x1 group conv
// m -> c (g groups). The article's formula, as an integer.
int64_t shufflenet_unit_madds(int64_t h, int64_t w, int64_t c, int64_t m, int64_t g);
