// lessons/10_g4_zero_copy/exercise.h - exercise 10: channel shuffle as an index map, and the
// shuffle folded into the weights of the 1x1 convolution that follows it. Implement both in
// lessons/10_g4_zero_copy/exercise.cpp; `make check-exercise N=10` compares them with
// sl::channel_shuffle and with nn/guidelines.h's make_zero_copy_unit.
// Reference: lessons/10_g4_zero_copy/solution/exercise.cpp.
#pragma once
#include <cstdint>

#include "core/tensor.h"

// channel_shuffle(x, G) on C channels: output channel j holds input channel shuffle_source(j).
int64_t shuffle_source(int64_t j, int64_t C, int64_t G);

// w [C_out, C, 1, 1] -> w_fold [C_out, C, 1, 1] such that
//   conv2d(x, w_fold) == conv2d(channel_shuffle(x, G), w)
// for every x [N, C, H, W]: the shuffle's permutation moved into w's columns, so that the
// convolution reads x unshuffled. Hint: column j of w multiplies input channel
// shuffle_source(j); build w_fold with views (view, permute, contiguous) or element by element.
sl::Tensor fold_shuffle(const sl::Tensor& w, int64_t G);
