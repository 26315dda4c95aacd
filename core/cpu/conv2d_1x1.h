// core/cpu/conv2d_1x1.h - the 1x1 fast path of the CPU convolution (K = 1, stride 1,
// padding 0, any groups), called by core/cpu/conv2d.cpp's dispatch. Not a backend entry:
// the reference twins in conv2d.cpp cover it. Implemented in core/cpu/conv2d_1x1.cpp.
#pragma once
#include "core/backend.h"

namespace sl::cpu {

// x [N, C_in, H, W], w [C_out, C_in/G, 1, 1] -> out [N, C_out, H, W]
void conv2d_1x1_forward(float* out, const float* x, const float* w, const Conv2dShape& s);
// dout [N, C_out, H, W], w [C_out, C_in/G, 1, 1] -> dx [N, C_in, H, W]
void conv2d_1x1_backward_input(float* dx, const float* dout, const float* w, const Conv2dShape& s);
// dout [N, C_out, H, W], x [N, C_in, H, W] -> dw [C_out, C_in/G, 1, 1]
void conv2d_1x1_backward_weight(float* dw, const float* dout, const float* x, const Conv2dShape& s);

}  // namespace sl::cpu
