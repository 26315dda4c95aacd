// lessons/14_cuda_backend/exercise.h - exercise 14: the index arithmetic of two CUDA kernels,
// written as host functions so that they can be checked without a GPU. Implement both in
// lessons/14_cuda_backend/exercise.cpp; `make check-exercise N=14` compares them with the
// CPU's channel_shuffle and with the depthwise convolution's input gradient from autograd.
// Reference: lessons/14_cuda_backend/solution/exercise.cpp.
#pragma once
#include <cstdint>

// The channel shuffle kernel, one thread per output element: x and out are [N, C, HW]
// contiguous, with C = G * (C/G). Thread e writes out[e]: return the flat index into x that
// it reads. (Output channel j = i_inner * G + i_group takes input channel
// i_group * (C/G) + i_inner; the position p inside the channel's plane stays.)
int64_t shuffle_gather_index(int64_t e, int64_t N, int64_t C, int64_t G, int64_t HW);

// The depthwise 3x3 backward-input kernel (padding 1, stride s): the thread of input row ih
// adds, for each tap row kh in 0..2, the output row oh whose window put tap kh on ih, that is
// oh * s - 1 + kh == ih. Return that oh, or -1 when there is none (no integer solution, or
// it falls outside [0, H_out)). The same rule holds for columns.
int64_t depthwise_source_row(int64_t ih, int64_t kh, int64_t stride, int64_t H_out);
