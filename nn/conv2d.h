// nn/conv2d.h - 2-D convolution with groups (standard, group and depthwise), no bias:
// every ShuffleNet convolution is followed by BatchNorm. Differentiable in x and w.
// The kernels live behind core/backend.h (core/cpu/conv2d.cpp and its reference twin);
// this op checks shapes, calls them and records the backward.
#pragma once
#include "core/tensor.h"

namespace sl {

// conv2d(x, w, {.stride = 2, .padding = 1, .groups = 3}); the same struct feeds shape
// inference, the kernels (through Conv2dShape) and the cost model.
struct Conv2dParams {
  int64_t stride = 1;
  int64_t padding = 0;
  int64_t groups = 1;
};

// x [N, C_in, H, W], w [C_out, C_in/G, K, K] -> the kernel's shape struct, with
// H_out = (H + 2*padding - K) / stride + 1. Throws naming the offending shapes.
Conv2dShape conv2d_shape(const Shape& x, const Shape& w, const Conv2dParams& p);

// x [N, C_in, H, W], w [C_out, C_in/G, K, K] -> out [N, C_out, H_out, W_out].
// Depthwise is groups = C_in = C_out; 1x1 is K = 1.
Tensor conv2d(const Tensor& x, const Tensor& w, const Conv2dParams& p = {});

}  // namespace sl
