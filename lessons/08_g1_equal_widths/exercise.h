// lessons/08_g1_equal_widths/exercise.h - exercise 08: guideline G1's two formulas.
// Implement both in lessons/08_g1_equal_widths/exercise.cpp; `make check-exercise N=08`
// compares them with nn/cost's conv2d_mac and nn/guidelines.h's g1_mac_lower_bound.
// Reference: lessons/08_g1_equal_widths/solution/exercise.cpp.
#pragma once
#include <cstdint>

// MAC of a 1x1 convolution c1 -> c2 (no groups) on one h x w map: elements of the input,
// of the output and of the weights, each counted once.
int64_t pointwise_mac(int64_t h, int64_t w, int64_t c1, int64_t c2);

// The smallest MAC any 1x1 convolution with B = h*w*c1*c2 multiply-adds can have (c1, c2
// real numbers): apply c1 + c2 >= 2*sqrt(c1*c2) to your pointwise_mac.
double pointwise_mac_lower_bound(int64_t h, int64_t w, double B);
