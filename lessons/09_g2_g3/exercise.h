// lessons/09_g2_g3/exercise.h - exercise 09: G2's MAC written as the paper writes it, and
// G3's fragmentation done by hand. Implement both in lessons/09_g2_g3/exercise.cpp;
// `make check-exercise N=09` compares them with nn/cost's conv2d_mac and with sl::conv2d.
// Reference: lessons/09_g2_g3/solution/exercise.cpp.
#pragma once
#include <cstdint>

#include "core/tensor.h"

// The paper's Eq. (2): MAC of a 1x1 group convolution with c1 input channels, g groups and
// B multiply-adds on one h x w map, written with B instead of c2 (B = h*w*c1*c2/g).
double group_conv_mac(int64_t h, int64_t w, int64_t c1, int64_t g, double B);

// x [N, C_in, H, W], w [C_out, C_in, 1, 1] -> the same output as sl::conv2d(x, w), computed
// as n "parallel fragments": n 1x1 convolutions, fragment k using weight rows
// [k*C_out/n, (k+1)*C_out/n), concatenated along channels (n divides C_out). Use
// Tensor::narrow, sl::conv2d and sl::cat.
sl::Tensor parallel_fragments(const sl::Tensor& x, const sl::Tensor& w, int64_t n);
