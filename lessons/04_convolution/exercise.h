// lessons/04_convolution/exercise.h - exercise 04: a convolution and its weight gradient,
// written by you with loops (or im2col + matmul), for any stride, padding and groups.
// Implement both in lessons/04_convolution/exercise.cpp; `make check-exercise N=04`
// compares them with sl::conv2d and its autograd. Reference:
// lessons/04_convolution/solution/exercise.cpp.
#pragma once
#include "core/tensor.h"
#include "nn/conv2d.h"

// x [N, C_in, H, W], w [C_out, C_in/G, K, K] -> out [N, C_out, H_out, W_out], with
// H_out = (H + 2*padding - K) / stride + 1, zero padding, G = p.groups: output channel co
// belongs to group g = co / (C_out/G) and reads input channels g*(C_in/G) ... (g+1)*(C_in/G) - 1.
sl::Tensor conv2d_forward_by_hand(const sl::Tensor& x, const sl::Tensor& w,
                                  const sl::Conv2dParams& p);

// The gradient of L with respect to w, given x and dout = dL/dout [N, C_out, H_out, W_out]:
// dw[co, ci, kh, kw] = sum over n, oh, ow of dout[n, co, oh, ow] * (the x value that tap met).
// Returns a tensor of shape w_shape.
sl::Tensor conv2d_weight_grad_by_hand(const sl::Tensor& x, const sl::Tensor& dout,
                                      const sl::Shape& w_shape, const sl::Conv2dParams& p);
