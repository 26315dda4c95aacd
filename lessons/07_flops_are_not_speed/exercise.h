// lessons/07_flops_are_not_speed/exercise.h - exercise 07: memory access cost (MAC) by
// hand. Implement both functions in lessons/07_flops_are_not_speed/exercise.cpp;
// `make check-exercise N=07` compares them with nn/cost (conv2d_mac, and the records of a
// real profiled model). Reference: lessons/07_flops_are_not_speed/solution/exercise.cpp.
#pragma once
#include <cstdint>

#include "nn/cost.h"

// Elements a convolution reads and writes, as docs/models.md counts them: every input
// element once, every output element once, every weight once. The fields of s:
// x [N, C_in, H, W], w [C_out, C_in/groups, K, K], out [N, C_out, H_out, W_out].
int64_t conv_mac(const sl::Conv2dShape& s);

// The share (0..1) of p's total MAC that comes from layers with 0 multiply-adds
// (BatchNorm, ReLU, add, pools, concat, channel shuffle): the memory traffic that a
// FLOPs count never sees. Use p.layers (each a LayerCost with madds and mac) and p.mac.
double zero_madds_mac_share(const sl::Profile& p);
