// core/cpu/conv2d_depthwise.h - the depthwise fast path of the CPU convolution
// (G == C_in == C_out, any K, stride and padding), called by core/cpu/conv2d.cpp's
// dispatch. Not a backend entry: the reference twins in conv2d.cpp cover it, and the
// CUDA backend handles depthwise inside core/cuda/conv2d.cu.
#pragma once
#include "core/backend.h"

namespace sl::cpu {

// x [N, C, H, W], w [C, 1, K, K] -> out [N, C, H_out, W_out]
void conv2d_depthwise_forward(float* out, const float* x, const float* w, const Conv2dShape& s);
// dout [N, C, H_out, W_out], w [C, 1, K, K] -> dx [N, C, H, W]
void conv2d_depthwise_backward_input(float* dx, const float* dout, const float* w,
                                     const Conv2dShape& s);
// dout [N, C, H_out, W_out], x [N, C, H, W] -> dw [C, 1, K, K]
void conv2d_depthwise_backward_weight(float* dw, const float* dout, const float* x,
                                      const Conv2dShape& s);

}  // namespace sl::cpu
